import { Command } from 'commander';
import { changeAssignedGroups } from '../../admin/member-groups.js';
import { assignmentsOf } from '../../groups/assigned.js';
import { chosenGroupNames } from '../../groups/groups.js';
import { findMemberByRef } from '../../members/member-ref.js';
import type { Runtime } from '../../runtime.js';
import { CLI_ACTOR, CliFailure, printJson, withRuntime } from '../context.js';

async function memberId(runtime: Runtime, ref: string): Promise<string> {
  const member = await findMemberByRef(runtime.db, ref);
  if (!member) throw new CliFailure(`no member ${ref}`);
  return member.id;
}

function changeCommand(name: 'assign' | 'unassign', description: string): Command {
  return new Command(name)
    .description(description)
    .argument('<member>', 'member id, email or employee ID')
    .argument('<groups...>', 'group names')
    .option('--json', 'print one JSON object')
    .action(async (ref: string, groups: string[], options: { json?: boolean }) => {
      const result = await withRuntime(async (runtime) => changeAssignedGroups(runtime, await memberId(runtime, ref), {
        assign: name === 'assign' ? groups : [], unassign: name === 'unassign' ? groups : [],
      }, CLI_ACTOR));
      if (options.json) return printJson(result);
      const names = result.assignedGroups.map((group) => group.name);
      process.stdout.write(`${ref} now has the assigned groups: ${names.length ? names.join(', ') : 'none'}.\n`);
    });
}

/** `claimgate groups assign|unassign|show`: the groups an admin assigns (source `admin`), which access decisions read. */
export function groupsCommand(): Command {
  return new Command('groups')
    .description('Assign groups to a member, or show them. Assigned groups decide what the member may reach through the gateway.')
    .addCommand(changeCommand('assign', 'Assign groups to a member (audited as member.groups_assigned).'))
    .addCommand(changeCommand('unassign', 'Remove groups an admin assigned (those from SSO, import or SCIM stay theirs).'))
    .addCommand(new Command('show')
      .description("Show a member's assigned groups (with their sources) and chosen groups.")
      .argument('<member>', 'member id, email or employee ID')
      .option('--json', 'print one JSON object')
      .action(async (ref: string, options: { json?: boolean }) => {
        const shown = await withRuntime(async (runtime) => {
          const id = await memberId(runtime, ref);
          return { id, assignedGroups: await assignmentsOf(runtime.db, id), chosenGroups: await chosenGroupNames(runtime.db, id) };
        });
        if (options.json) return printJson(shown);
        for (const group of shown.assignedGroups) process.stdout.write(`assigned  ${group.name}  (${group.sources.join(', ')})\n`);
        for (const name of shown.chosenGroups) process.stdout.write(`chosen    ${name}\n`);
      }));
}
