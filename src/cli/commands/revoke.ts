import { Command } from 'commander';
import { findMemberByRef } from '../../members/member-ref.js';
import { revokeInvitation } from '../../members/revoke.js';
import { CLI_ACTOR, CliFailure, printJson, withRuntime } from '../context.js';

export function revokeCommand(): Command {
  return new Command('revoke')
    .description('Take back an invitation: every claim link dies and the member returns to provisioned.')
    .argument('<member>', 'member id, email or employee ID')
    .option('--json', 'print one JSON object')
    .action(async (ref: string, options: { json?: boolean }) => {
      const id = await withRuntime(async (runtime) => {
        const member = await findMemberByRef(runtime.db, ref);
        if (!member) throw new CliFailure(`no member ${ref}`);
        await revokeInvitation(runtime, member.id, CLI_ACTOR);
        return member.id;
      });
      if (options.json) printJson({ id, status: 'provisioned' });
      else process.stdout.write(`Revoked the invitation of ${ref}.\n`);
    });
}
