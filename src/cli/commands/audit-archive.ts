import { resolve } from 'node:path';
import { Command } from 'commander';
import { archiveAudit } from '../../audit/archive.js';
import { CLI_ACTOR, CliFailure, withRuntime } from '../context.js';

interface ArchiveOptions {
  before: string;
  out: string;
}

/** `claimgate audit archive`: the audit table's retention path (export, then delete what was exported). */
export function auditArchiveCommand(): Command {
  return new Command('archive')
    .description('Export the audit events older than a date to a JSON-lines file, then delete them (an audit.archived event records the range, count and SHA-256 of the file).')
    .requiredOption('--before <date>', 'archive events older than this date (ISO 8601, e.g. 2026-01-01)')
    .requiredOption('--out <file>', 'the file to write; it must not exist')
    .action(async (options: ArchiveOptions) => {
      const before = new Date(options.before);
      if (!/^\d{4}-\d{2}-\d{2}/.test(options.before) || Number.isNaN(before.getTime())) throw new CliFailure('--before must be an ISO 8601 date, e.g. 2026-01-01');
      const out = resolve(options.out);
      await withRuntime(async (runtime) => {
        const result = await archiveAudit(runtime, before, out, CLI_ACTOR).catch((error: NodeJS.ErrnoException) => {
          if (error.code === 'EEXIST') throw new CliFailure(`${out} exists: choose a new file`);
          throw error;
        });
        if (!result) return void process.stdout.write(`no audit events before ${before.toISOString()}\n`);
        process.stdout.write(`archived ${result.count} audit events (ids up to ${result.throughId}) to ${out}\nsha256 ${result.sha256}\n`);
      });
    });
}
