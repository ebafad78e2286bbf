import type { Request } from 'express';
import { announceSessionEnding } from '../gateway/session-endings.js';
import { AppError } from '../http/errors.js';
import type { Runtime } from '../runtime.js';
import { endMemberSessions } from '../session/member-sessions.js';

/** An admin ends every session of a member, on every replica at once; answers how many ended. */
export async function signOutEverywhere(runtime: Runtime, memberId: string, actorId: string, req?: Request): Promise<number> {
  const member = await runtime.db.source.manager.findOneBy(runtime.db.entities.Member, { id: memberId });
  if (!member) throw new AppError('not_found', 'no such member', 'No member matches.');
  const ended = await endMemberSessions(runtime, memberId, { reason: 'signed_out_by_admin', actorId, req });
  await runtime.audit({ event: 'member.signed_out_everywhere', actorId, memberId, req, details: { sessions: ended } });
  return ended;
}

/**
 * An admin asks a claimed password member to choose a new password: their next sign-in, every claimgate page and the
 * gateway send them to the set-password page first. Sessions already open are held there too (the flag is read with
 * the member), so nothing passes on the old password meanwhile.
 */
export async function requireNewPassword(runtime: Runtime, memberId: string, actorId: string, req?: Request): Promise<void> {
  const { db } = runtime;
  const now = runtime.now();
  await db.transaction(async (manager) => {
    const member = await manager.findOneBy(db.entities.Member, { id: memberId });
    if (!member) throw new AppError('not_found', 'no such member', 'No member matches.');
    if (member.status !== 'claimed' || member.loginMethod !== 'password') {
      throw new AppError('member_action_unavailable', `new password for a ${member.status} ${member.loginMethod} member`, 'Only a claimed member who signs in with a password can be asked for a new one.');
    }
    await manager.update(db.entities.Member, { id: memberId }, { passwordChangeRequiredAt: now, updatedAt: now });
    await runtime.audit({ event: 'member.password_change_required', actorId, memberId, req }, manager);
  });
  // The gateway's cached identity carries the flag: every replica reads it again now (no session ends).
  runtime.identities.forget(memberId);
  await announceSessionEnding(runtime, { memberId, sids: [] });
}
