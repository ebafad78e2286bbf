import { Command, Option } from 'commander';
import { inviteByEmail } from '../../members/invite.js';
import { inviteByEmployeeId } from '../../members/invite-employee.js';
import { CLI_ACTOR, CliFailure, printJson, withRuntime } from '../context.js';

interface InviteOptions {
  email?: string;
  employeeId?: string;
  name?: string;
  loginMethod?: 'password' | 'sso';
  json?: boolean;
}

export function inviteCommand(): Command {
  return new Command('invite')
    .description('Invite a member by email (mails a claim link) or by employee ID (prints an access code). Inviting again kills the older link or code.')
    .option('--email <email>', 'the member\'s email address')
    .option('--employee-id <id>', 'the employee ID of a member without email: prints an access code to hand over')
    .option('--name <name>', 'the member\'s full name')
    .addOption(new Option('--login-method <method>', 'how the member signs in').choices(['password', 'sso']))
    .option('--json', 'print one JSON object')
    .action(async (options: InviteOptions) => {
      if (options.email && options.employeeId) throw new CliFailure('give --email or --employee-id, not both');
      if (options.employeeId) {
        const invited = await withRuntime((runtime) => inviteByEmployeeId(runtime, { employeeId: options.employeeId!, name: options.name, actorId: CLI_ACTOR }));
        if (options.json) printJson(invited);
        else process.stdout.write(`${invited.created ? 'Invited' : 'Re-invited'} employee ${invited.employeeId} (${invited.id}).\nAccess code (valid until ${invited.expiresAt}): ${invited.accessCode}\n`);
        return;
      }
      if (!options.email) throw new CliFailure('--email or --employee-id is required');
      const result = await withRuntime((runtime) =>
        inviteByEmail(runtime, { email: options.email!, name: options.name, loginMethod: options.loginMethod, actorId: CLI_ACTOR }),
      );
      if (options.json) printJson(result);
      else process.stdout.write(`${result.created ? 'Invited' : 'Re-invited'} ${result.email} (${result.id}).\nClaim link (valid until ${result.expiresAt}):\n${result.claimUrl}\n`);
    });
}
