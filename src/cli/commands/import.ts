import { open, type FileHandle } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { importMembers, type ImportProgress } from '../../import/import-members.js';
import type { InviteWhen } from '../../import/invite-rules.js';
import type { ImportReport } from '../../import/report.js';
import { CLI_ACTOR, CliFailure, printJson, withRuntime } from '../context.js';

interface ImportCommandOptions {
  invite: InviteWhen;
  dryRun?: boolean;
  maxBytes?: string;
  json?: boolean;
}

/** Files with at least this many rows show progress even when stderr is not a terminal. */
const LARGE_FILE_ROWS = 10_000;
const PROGRESS_EVERY_MS = 200;

/** One stderr line per phase, rewritten in place (`\r`), so stdout carries only the report. */
function progressLine(): (progress: ImportProgress) => void {
  const verb = { checking: 'checked', importing: 'imported' } as const;
  let lastWrite = 0;
  let shown: boolean | undefined;
  return ({ phase, done, total }) => {
    // The first report is of the checking phase, whose total is the number of rows in the file.
    shown ??= process.stderr.isTTY || total >= LARGE_FILE_ROWS;
    if (!shown) return;
    const finished = done === total;
    if (!finished && Date.now() - lastWrite < PROGRESS_EVERY_MS) return;
    lastWrite = Date.now();
    process.stderr.write(`\r${verb[phase]} ${done}/${total}${finished ? '\n' : ''}`);
  };
}

function printSummary(report: ImportReport): void {
  const lines = [
    `${report.rows} row${report.rows === 1 ? '' : 's'}: ${report.valid} valid, ${report.incomplete} incomplete, ${report.invalid} invalid.`,
    report.dryRun
      ? `Dry run, nothing changed: would create ${report.created}, update ${report.updated}, leave ${report.unchanged} unchanged.`
      : `Created ${report.created}, updated ${report.updated}, ${report.unchanged} unchanged.`,
  ];
  if (report.invite === 'now') {
    lines.push(`${report.dryRun ? 'Would invite' : 'Invited'} ${report.invitedByLink} by claim link (mailed) and ${report.invitedByCode} by access code.`);
    if (report.invitedByCode && !report.dryRun) lines.push('Print the access codes with: claimgate export --codes');
  }
  for (const row of report.rejected) lines.push(`line ${row.line}: ${row.class}: ${row.reason}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function openFile(file: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw new CliFailure(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if ((await handle.stat()).isFile()) return handle;
  await handle.close();
  throw new CliFailure(`cannot read ${file}: not a file`);
}

export function importCommand(): Command {
  return new Command('import')
    .description('Create or update members from a CSV file (matched on email, else employee ID); every row is reported valid, incomplete or invalid.')
    .argument('<file>', 'CSV (UTF-8) with a header row: Email, Employee ID, First name, Last name, Job Title, Department, Location, Locale, Manager Email, Login Method, Start Date')
    .addOption(new Option('--invite <when>', 'now: mail claim links and issue access codes; later: new members stay provisioned').choices(['now', 'later']).default('later'))
    .option('--dry-run', 'sort and report the rows, change nothing')
    .option('--max-bytes <n>', 'refuse a larger file (default: imports.maxBytes from the configuration)')
    .option('--json', 'print one JSON summary object')
    .action(async (file: string, options: ImportCommandOptions) => {
      const given = options.maxBytes === undefined ? undefined : Number(options.maxBytes);
      if (given !== undefined && (!Number.isSafeInteger(given) || given < 1)) throw new CliFailure('--max-bytes must be a positive whole number of bytes');
      const handle = await openFile(file);
      try {
        const report = await withRuntime((runtime) =>
          importMembers(runtime, handle.createReadStream({ autoClose: false }), {
            actorId: CLI_ACTOR, invite: options.invite, dryRun: options.dryRun, maxBytes: given ?? runtime.config.imports.maxBytes, onProgress: progressLine(),
          }),
        );
        if (options.json) printJson(report);
        else printSummary(report);
      } finally {
        await handle.close();
      }
    });
}
