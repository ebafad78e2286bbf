import type { Request } from 'express';
import { revokeAccessCodes } from '../access-codes/codes.js';
import { revokeLinks } from '../claim/links.js';
import { AppError } from '../http/errors.js';
import type { Runtime } from '../runtime.js';
import { findMemberById } from './lookup.js';

/** Takes back an invitation: every link and access code dies and the member returns to `provisioned`. Claimed members are not affected. */
export async function revokeInvitation(runtime: Runtime, memberId: string, actorId: string, req?: Request): Promise<void> {
  const { db, audit } = runtime;
  const member = await findMemberById(db, memberId);
  if (!member) throw new AppError('not_found', 'no such member', 'No member has that id.');
  if (member.status !== 'invited') throw new AppError('validation_failed', `member is ${member.status}`, `The member is ${member.status}, not invited.`);
  const now = runtime.now();
  await db.transaction(async (manager) => {
    await revokeLinks(db, manager, member.id, now);
    await revokeAccessCodes(db, manager, member.id, now);
    await manager.update(db.entities.Member, { id: member.id, status: 'invited' }, { status: 'provisioned', updatedAt: now });
    await audit({ event: 'member.revoked', actorId, memberId: member.id, req }, manager);
  });
}
