import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { accessCodeCommand } from './commands/access-code.js';
import { auditCommand } from './commands/audit.js';
import { configCommand } from './commands/config.js';
import { deactivateCommand } from './commands/deactivate.js';
import { exportCommand } from './commands/export.js';
import { importCommand } from './commands/import.js';
import { inviteCommand } from './commands/invite.js';
import { migrateCommand } from './commands/migrate.js';
import { remindersCommand } from './commands/reminders.js';
import { resendCommand } from './commands/resend.js';
import { revokeCommand } from './commands/revoke.js';
import { webhookCommand } from './commands/webhook.js';
import { tokenCommand } from './commands/token.js';
import { CliFailure } from './context.js';

const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('claimgate')
  .version(version)
  .description('claimgate: invite members, export claim links, audit claim events, check configuration.')
  .showHelpAfterError();

for (const command of [configCommand(), migrateCommand(), inviteCommand(), importCommand(), accessCodeCommand(), resendCommand(), revokeCommand(), deactivateCommand(), exportCommand(), remindersCommand(), auditCommand(), webhookCommand(), tokenCommand()]) {
  program.addCommand(command);
}

// Output piped into `head` and the like: the reader left, so there is nothing more to say.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CliFailure) {
    // Scripts that asked for JSON get the refusal as JSON too.
    if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify({ error: { message: error.message } })}\n`);
    process.stderr.write(`claimgate: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`claimgate: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
