import { resendInvitation } from '../../members/resend.js';
import { CLI_ACTOR } from '../context.js';
import { memberActionCommand } from './member-action.js';

export function resendCommand() {
  return memberActionCommand({
    name: 'resend',
    description: 'Send the invitation again: the link that works now (it stays valid), or a new one if it expired.',
    resultStatus: 'invited',
    done: 'Sent the invitation again to',
    act: async (runtime, memberId) => void (await resendInvitation(runtime, memberId, CLI_ACTOR)),
  });
}
