import type { Request } from 'express';
import { revokeAccessCodes } from '../access-codes/codes.js';
import { revokeLinks } from '../claim/links.js';
import { AppError } from '../http/errors.js';
import type { Runtime } from '../runtime.js';
import { endMemberSessions } from '../session/member-sessions.js';

/**
 * Deactivates a member from any state: links and codes die, a claim in progress ends, and every signed-in session
 * ends at once on every replica (the gateway's cached identity is dropped everywhere and open WebSocket tunnels
 * close at once with Redis, otherwise at their replica's next re-check).
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
  await endMemberSessions(runtime, memberId, { reason: 'deactivated', actorId, req });
}
