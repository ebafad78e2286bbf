import type { Request } from 'express';
import type { Runtime } from '../runtime.js';
import { endMemberSessions } from '../session/member-sessions.js';

/**
 * Ends every session of a member whose password was just replaced, except `keepSid`: the one place recovery ends
 * sessions. They leave the shared store on every replica at once, identity caches drop the member, and open
 * WebSocket tunnels of those sessions close.
 */
export async function endOtherSessions(runtime: Runtime, memberId: string, options: { keepSid?: string; reason: string; req?: Request }): Promise<number> {
  return endMemberSessions(runtime, memberId, { keepSid: options.keepSid, reason: options.reason, actorId: memberId, req: options.req });
}
