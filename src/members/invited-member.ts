import { In, type EntityManager } from 'typeorm';
import type { Database } from '../db/database.js';
import type { MemberRow } from '../db/rows.js';
import { AppError } from '../http/errors.js';
import { isUniqueViolation } from '../db/errors.js';


/**
 * Writes the member as invited inside the caller's transaction. An existing member changes only if it is still
 * provisioned or invited when the write happens, so an invite racing a claim never undoes the claim.
 */
export async function saveInvitedMember(
  db: Database,
  manager: EntityManager,
  existing: MemberRow | null,
  fresh: () => MemberRow,
  changes: Partial<MemberRow>,
  now: Date,
): Promise<MemberRow> {
  if (existing) {
    const update = { ...changes, status: 'invited' as const, invitedAt: now, updatedAt: now };
    const result = await manager.update(db.entities.Member, { id: existing.id, status: In(['provisioned', 'invited']) }, update);
    if (result.affected !== 1) throw new AppError('validation_failed', 'member left provisioned/invited meanwhile', 'The member was claimed or deactivated meanwhile and cannot be invited.', 'admin.invite.errors.changedMeanwhile');
    return { ...existing, ...update };
  }
  const member = fresh();
  try {
    await manager.insert(db.entities.Member, member);
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('validation_failed', 'member created concurrently', 'This member was created at the same moment by another request. Try again.', 'admin.invite.errors.createdConcurrently');
    throw error;
  }
  return member;
}
