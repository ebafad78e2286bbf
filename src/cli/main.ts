import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';

const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * Each command's module is loaded only when it runs: the database, SSO and mail libraries behind them take seconds to
 * load, and `claimgate --help` or a script's first call should not wait for them.
 */
const COMMANDS: Record<string, { description: string; load: () => Promise<Command> }> = {
  config: { description: 'Work with the configuration file.', load: async () => (await import('./commands/config.js')).configCommand() },
  migrate: { description: 'Apply pending database migrations (the server also applies them at start).', load: async () => (await import('./commands/migrate.js')).migrateCommand() },
  invite: {
    description: 'Invite a member by email (mails a claim link) or by employee ID (prints an access code).',
    load: async () => (await import('./commands/invite.js')).inviteCommand(),
  },
  import: { description: 'Create or update members from a CSV file; every row is reported valid, incomplete or invalid.', load: async () => (await import('./commands/import.js')).importCommand() },
  'access-code': { description: 'Issue a new access code for an invited member, or deactivate it.', load: async () => (await import('./commands/access-code.js')).accessCodeCommand() },
  resend: { description: 'Send the invitation again.', load: async () => (await import('./commands/resend.js')).resendCommand() },
  revoke: { description: 'Take back an invitation: every claim link and access code dies.', load: async () => (await import('./commands/revoke.js')).revokeCommand() },
  deactivate: { description: 'Deactivate a member in any state: no claim, no sign-in.', load: async () => (await import('./commands/deactivate.js')).deactivateCommand() },
  export: { description: 'Write members as CSV with the currently valid claim links; --codes writes access codes instead.', load: async () => (await import('./commands/export.js')).exportCommand() },
  reminders: { description: 'Send the reminders that are due now.', load: async () => (await import('./commands/reminders.js')).remindersCommand() },
  audit: { description: 'Print audit events, newest first.', load: async () => (await import('./commands/audit.js')).auditCommand() },
  'recovery-link': {
    description: 'Mail a claimed member a link to choose a new password (any earlier link dies at once).',
    load: async () => (await import('./commands/recovery.js')).recoveryLinkCommand(),
  },
  'recovery-code': {
    description: 'Issue a recovery code for a claimed member (the old one dies at once): they type it with their employee ID.',
    load: async () => (await import('./commands/recovery.js')).recoveryCodeCommand(),
  },
  sessions: { description: 'List where a member is signed in: when, from which address, with which browser.', load: async () => (await import('./commands/sessions.js')).sessionsCommand() },
  'sign-out-everywhere': { description: 'End every session of a member at once, on every replica.', load: async () => (await import('./commands/sessions.js')).signOutEverywhereCommand() },
  'require-new-password': { description: 'Make a claimed password member choose a new password at their next sign-in.', load: async () => (await import('./commands/sessions.js')).requireNewPasswordCommand() },
  groups: { description: 'Assign and unassign the groups that decide what a member may reach.', load: async () => (await import('./commands/groups.js')).groupsCommand() },
  webhook: { description: 'Webhook endpoints: signed events (Standard Webhooks) for apps and SIEMs.', load: async () => (await import('./commands/webhook.js')).webhookCommand() },
  token: { description: 'Service tokens for the admin API (Authorization: Bearer).', load: async () => (await import('./commands/token.js')).tokenCommand() },
  scim: { description: 'SCIM 2.0 provisioning clients and their tokens.', load: async () => (await import('./commands/scim.js')).scimCommand() },
};

/** A usage error (unknown option, value not among the choices) is a refusal like any other: exit code 2. */
function refuseUsageErrors(command: Command): void {
  command.exitOverride();
  command.commands.forEach(refuseUsageErrors);
}

class CliFailureLike extends Error {}

async function main(): Promise<void> {
  const program = new Command('claimgate')
    .version(version)
    .description('claimgate: invite members, export claim links, audit claim events, check configuration.')
    .showHelpAfterError();
  const words = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  const chosen = name !== undefined ? COMMANDS[name] : undefined;
  if (chosen) program.addCommand(await chosen.load());
  else for (const [command, { description }] of Object.entries(COMMANDS)) program.command(command).description(description);
  refuseUsageErrors(program);
  await program.parseAsync(process.argv);
}

// Output piped into `head` and the like: the reader left, so there is nothing more to say.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

main().catch(async (error: unknown) => {
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
  const { CliFailure } = await import('./context.js').catch(() => ({ CliFailure: CliFailureLike }));
  if (error instanceof CliFailure) {
    // Scripts that asked for JSON get the refusal as JSON too.
    if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify({ error: { message: error.message } })}\n`);
    process.stderr.write(`claimgate: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`claimgate: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
