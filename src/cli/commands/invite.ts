import { Command, Option } from 'commander';
import { inviteByEmail } from '../../members/invite.js';
import { CLI_ACTOR, CliFailure, printJson, withRuntime } from '../context.js';

interface InviteOptions {
  email?: string;
  name?: string;
  loginMethod?: 'password' | 'sso';
  json?: boolean;
}

export function inviteCommand(): Command {
  return new Command('invite')
    .description('Invite a member (or re-invite: every older claim link dies) and mail the claim link.')
    .option('--email <email>', 'the member\'s email address')
    .option('--name <name>', 'the member\'s full name')
    .addOption(new Option('--login-method <method>', 'how the member signs in').choices(['password', 'sso']))
    .option('--json', 'print one JSON object')
    .action(async (options: InviteOptions) => {
      if (!options.email) throw new CliFailure('--email is required');
      const result = await withRuntime((runtime) =>
        inviteByEmail(runtime, { email: options.email!, name: options.name, loginMethod: options.loginMethod, actorId: CLI_ACTOR }),
      );
      if (options.json) printJson(result);
      else process.stdout.write(`${result.created ? 'Invited' : 'Re-invited'} ${result.email} (${result.id}).\nClaim link (valid until ${result.expiresAt}):\n${result.claimUrl}\n`);
    });
}
