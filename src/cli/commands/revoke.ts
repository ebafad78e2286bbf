import { revokeInvitation } from '../../members/revoke.js';
import { CLI_ACTOR } from '../context.js';
import { memberActionCommand } from './member-action.js';

export function revokeCommand() {
  return memberActionCommand({
    name: 'revoke',
    description: 'Take back an invitation: every claim link and access code dies and the member returns to provisioned.',
    resultStatus: 'provisioned',
    done: 'Revoked the invitation of',
    act: (runtime, memberId) => revokeInvitation(runtime, memberId, CLI_ACTOR),
  });
}
