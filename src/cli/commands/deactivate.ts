import { deactivateMember } from '../../members/deactivate.js';
import { CLI_ACTOR } from '../context.js';
import { memberActionCommand } from './member-action.js';

export function deactivateCommand() {
  return memberActionCommand({
    name: 'deactivate',
    description: 'Deactivate a member in any state: no claim, no sign-in, every session ends at once.',
    resultStatus: 'deactivated',
    done: 'Deactivated',
    act: (runtime, memberId) => deactivateMember(runtime, memberId, CLI_ACTOR),
  });
}
