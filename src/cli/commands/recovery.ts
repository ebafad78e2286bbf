import { Command } from 'commander';
import { findMemberByRef } from '../../members/member-ref.js';
import { sendRecoveryLinkFor } from '../../recovery/admin.js';
import { issueRecoveryCode } from '../../recovery/codes.js';
import { CLI_ACTOR, CliFailure, printJson, withRuntime } from '../context.js';

/** `claimgate recovery-link <member>`: mails a claimed member a link to choose a new password. */
export function recoveryLinkCommand(): Command {
  return new Command('recovery-link')
    .description('Mail a claimed member a link to choose a new password (any earlier link dies at once).')
    .argument('<member>', 'member id, email or employee ID')
    .option('--json', 'print one JSON object')
    .action(async (ref: string, options: { json?: boolean }) => {
      const result = await withRuntime(async (runtime) => {
        const member = await findMemberByRef(runtime.db, ref);
        if (!member) throw new CliFailure(`no member ${ref}`);
        return sendRecoveryLinkFor(runtime, member.id, CLI_ACTOR);
      });
      if (options.json) printJson(result);
      else process.stdout.write(`Recovery link sent to ${result.email} (valid until ${result.expiresAt}).\n`);
    });
}

/** `claimgate recovery-code --member <ref>`: a recovery code to print and hand over, for a member without email. */
export function recoveryCodeCommand(): Command {
  return new Command('recovery-code')
    .description('Issue a recovery code for a claimed member (the old one dies at once): they type it with their employee ID.')
    .requiredOption('--member <ref>', 'member id, employee ID or email')
    .option('--json', 'print one JSON object')
    .action(async (options: { member: string; json?: boolean }) => {
      const result = await withRuntime(async (runtime) => {
        const member = await findMemberByRef(runtime.db, options.member);
        if (!member) throw new CliFailure(`no member ${options.member}`);
        return issueRecoveryCode(runtime, member.id, CLI_ACTOR);
      });
      if (options.json) printJson(result);
      else process.stdout.write(`Recovery code for ${result.employeeId} (username ${result.username ?? '-'}, valid until ${result.expiresAt}): ${result.recoveryCode}\n`);
    });
}
