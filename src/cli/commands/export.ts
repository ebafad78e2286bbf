import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Command, Option } from 'commander';
import { accessCodesCsv } from '../../export/access-codes-csv.js';
import { lineEnds } from '../../export/csv.js';
import { membersCsv, type ExportStatus } from '../../export/members-csv.js';
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
        // Claim links and access codes are credentials: every export of them is on the record.
        await runtime.audit({ event: 'export.requested', actorId: CLI_ACTOR, details: { via: 'cli', kind: options.codes ? 'access_codes' : 'members', status: options.status, search: options.search ?? '', to: options.out ? 'file' : 'stdout' } });
        let rows = 0;
        let shownAt = 0;
        const counted = async function* () {
          const source = options.codes ? accessCodesCsv(runtime) : membersCsv(runtime, options.status, options.search);
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
