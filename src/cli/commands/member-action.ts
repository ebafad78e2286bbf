import { Command } from 'commander';
import { findMemberByRef } from '../../members/member-ref.js';
import type { Runtime } from '../../runtime.js';
import { CliFailure, printJson, withRuntime } from '../context.js';

/** A command that finds one member by id, email or employee ID and does one thing to them. */
export function memberActionCommand(spec: {
  name: string;
  description: string;
  resultStatus: string;
  done: string;
  act(runtime: Runtime, memberId: string): Promise<void>;
}): Command {
  return new Command(spec.name)
    .description(spec.description)
    .argument('<member>', 'member id, email or employee ID')
    .option('--json', 'print one JSON object')
    .action(async (ref: string, options: { json?: boolean }) => {
      const id = await withRuntime(async (runtime) => {
        const member = await findMemberByRef(runtime.db, ref);
        if (!member) throw new CliFailure(`no member ${ref}`);
        await spec.act(runtime, member.id);
        return member.id;
      });
      if (options.json) printJson({ id, status: spec.resultStatus });
      else process.stdout.write(`${spec.done} ${ref}.\n`);
    });
}
