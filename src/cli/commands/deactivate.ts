import { Command } from 'commander';
import { deactivateMember } from '../../members/deactivate.js';
import { findMemberByRef } from '../../members/member-ref.js';
import { CLI_ACTOR, CliFailure, printJson, withRuntime } from '../context.js';

export function deactivateCommand(): Command {
  return new Command('deactivate')
    .description('Deactivate a member in any state: no claim, no sign-in, sessions end at their next request.')
    .argument('<member>', 'member id, email or employee ID')
    .option('--json', 'print one JSON object')
    .action(async (ref: string, options: { json?: boolean }) => {
      const id = await withRuntime(async (runtime) => {
        const member = await findMemberByRef(runtime.db, ref);
        if (!member) throw new CliFailure(`no member ${ref}`);
        await deactivateMember(runtime, member.id, CLI_ACTOR);
        return member.id;
      });
      if (options.json) printJson({ id, status: 'deactivated' });
      else process.stdout.write(`Deactivated ${ref}.\n`);
    });
}
