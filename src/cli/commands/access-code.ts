import { Command } from 'commander';
import { deactivateAccessCode, reissueAccessCode } from '../../access-codes/admin.js';
import { findMemberByRef } from '../../members/member-ref.js';
import { CLI_ACTOR, CliFailure, printJson, withRuntime } from '../context.js';

export function accessCodeCommand(): Command {
  return new Command('access-code')
    .description('Issue a new access code for an invited member (the old one dies at once), or deactivate it.')
    .requiredOption('--member <ref>', 'member id, employee ID or email')
    .option('--deactivate', 'kill the current code without issuing a new one')
    .option('--json', 'print one JSON object')
    .action(async (options: { member: string; deactivate?: boolean; json?: boolean }) => {
      const result = await withRuntime(async (runtime) => {
        const member = await findMemberByRef(runtime.db, options.member);
        if (!member) throw new CliFailure(`no member ${options.member}`);
        return options.deactivate ? deactivateAccessCode(runtime, member.id, CLI_ACTOR) : reissueAccessCode(runtime, member.id, CLI_ACTOR);
      });
      if (options.json) printJson(result);
      else if ('accessCode' in result) process.stdout.write(`New access code for ${result.employeeId ?? result.id} (valid until ${result.expiresAt}): ${result.accessCode}\n`);
      else process.stdout.write(`Deactivated ${result.revoked} access code(s) of ${result.employeeId ?? result.id}.\n`);
    });
}
