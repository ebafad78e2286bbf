import { In, type EntityManager } from 'typeorm';
import type { Database } from '../db/database.js';
import type { MemberRow } from '../db/rows.js';
import { AppError } from '../http/errors.js';
import { isUniqueViolation } from '../db/errors.js';
import { refuseExistingInvitee } from './invite-conflict.js';

/**
 * Writes the member as invited inside the caller's transaction. An existing member changes only if it is still
 * provisioned (or invited, when `reissue`) when the write happens, so an invite racing a claim never undoes the
 * claim, and an invite that must not re-issue never replaces a link or code a concurrent invite just gave out.
 */
export async function saveInvitedMember(
  db: Database,
  manager: EntityManager,
  existing: MemberRow | null,
  fresh: () => MemberRow,
  changes: Partial<MemberRow>,
  now: Date,
  reissue: boolean,
): Promise<MemberRow> {
  if (existing) {
    const update = { ...changes, status: 'invited' as const, invitedAt: now, updatedAt: now };
    const result = await manager.update(db.entities.Member, { id: existing.id, status: In(reissue ? ['provisioned', 'invited'] : ['provisioned']) }, update);
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

/**
 * Runs an invitation's transaction. Without `reissue` (the API), a write that lost a race to a concurrent invite
 * answers 409 with the member that invite made, as a lookup after it would have; nothing of this one was written.
 */
export async function inviteOnce<T>(reissue: boolean, invitee: { email?: string; employeeId?: string }, find: () => Promise<MemberRow | null>, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!reissue && error instanceof AppError) refuseExistingInvitee(invitee, await find());
    throw error;
  }
}
