import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Command, Option } from 'commander';
import { lineEnds } from '../../export/csv.js';
import type { ExportStatus } from '../../export/members-csv.js';
import { openDirectExport } from '../../export-jobs/direct.js';
import { ACCESS_CODES_EXPORT } from '../../export-jobs/requested.js';
import { CLI_ACTOR, withRuntime } from '../context.js';

const PROGRESS_EVERY_MS = 200;

export function exportCommand(): Command {
  return new Command('export')
    .description('Write members as CSV, with the currently valid claim link of every invited member (links stay valid); --codes writes access codes instead.')
    .addOption(new Option('--status <status>', 'which members').choices(['provisioned', 'invited', 'claimed', 'deactivated', 'all']).default('all'))
    .option('--search <text>', 'only members whose email, name, username or employee ID contains this')
    .option('--codes', 'instead: the current access code of every invited member without a claim, for printing')
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (options: { status: ExportStatus; search?: string; codes?: boolean; out?: string }) => {
      await withRuntime(async (runtime) => {
        const request = options.codes ? ACCESS_CODES_EXPORT : { kind: 'members' as const, status: options.status, search: options.search ?? '' };
        const source = await openDirectExport(runtime, request, CLI_ACTOR);
        let rows = 0;
        let shownAt = 0;
        const counted = async function* () {
          for await (const chunk of source) {
            rows += lineEnds(chunk);
            if (options.out && Date.now() - shownAt >= PROGRESS_EVERY_MS) {
              shownAt = Date.now();
              process.stderr.write(`\rexported ${Math.max(rows - 1, 0)} rows`);
            }
            yield chunk;
          }
        };
        const target = options.out ? createWriteStream(options.out, { mode: 0o600 }) : process.stdout;
        await pipeline(Readable.from(counted()), target);
        if (options.out) process.stderr.write(`\rexported ${Math.max(rows - 1, 0)} rows to ${options.out}\n`);
      });
    });
}
