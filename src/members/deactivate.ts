import type { Request } from 'express';
import { revokeAccessCodes } from '../access-codes/codes.js';
import { revokeLinks } from '../claim/links.js';
import { AppError } from '../http/errors.js';
import type { Runtime } from '../runtime.js';
import { announceSessionEnding } from '../gateway/session-endings.js';

/**
 * Deactivates a member from any state: links and codes die, a claim in progress ends, and signed-in sessions
 * stop at their next request (every request checks that the member is still claimed); open WebSocket tunnels close
 * at once with Redis, otherwise at their replica's next re-check.
 */
export async function deactivateMember(runtime: Runtime, memberId: string, actorId: string, req?: Request): Promise<void> {
  const { db, audit } = runtime;
  const now = runtime.now();
  await db.transaction(async (manager) => {
    const member = await manager.findOneBy(db.entities.Member, { id: memberId });
    if (!member) throw new AppError('not_found', 'no such member', 'No member matches.');
    if (member.status === 'deactivated') return;
    await revokeLinks(db, manager, member.id, now);
    await revokeAccessCodes(db, manager, member.id, now);
    await manager.update(db.entities.Member, { id: member.id }, { status: 'deactivated', deactivatedAt: now, updatedAt: now });
    await audit({ event: 'member.deactivated', actorId, memberId: member.id, req, details: { from: member.status } }, manager);
  });
  runtime.identities.forget(memberId);
  await announceSessionEnding(runtime, { memberId });
}
