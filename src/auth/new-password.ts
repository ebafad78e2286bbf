import argon2 from 'argon2';
import type { Request } from 'express';
import type { FieldError } from '../claim/steps/step.js';
import type { MemberRow } from '../db/rows.js';
import type { Runtime } from '../runtime.js';
import { endMemberSessions } from '../session/member-sessions.js';
import { passwordProblems } from './password-policy.js';

/** The claim's password rules for a member choosing a new password: the problems, or the argon2id hash. */
export async function checkNewPassword(runtime: Runtime, member: MemberRow, password: string, confirm: string): Promise<{ errors: FieldError[] } | { hash: string }> {
  const identifiers = [member.email?.split('@')[0], member.username, member.name, member.firstName, member.lastName, member.employeeId];
  const errors = passwordProblems(password, runtime.config.firstAccess.password, identifiers).map((problem): FieldError => ({ field: 'password', ...problem }));
  if (!errors.length && password !== confirm) errors.push({ field: 'confirm', message: 'claim.password.mismatch' });
  if (errors.length) return { errors };
  return { hash: await argon2.hash(password, { type: argon2.argon2id }) };
}

/**
 * Stores a member's new password (and clears an admin's "new password required"), audited, then ends every other
 * session of the member: whoever knew the old password and signed in with it is out.
 */
export async function replacePassword(runtime: Runtime, member: MemberRow, hash: string, context: { keepSid: string; req: Request; required: boolean }): Promise<number> {
  const { db } = runtime;
  const now = runtime.now();
  await db.transaction(async (manager) => {
    await manager.update(db.entities.Member, { id: member.id }, { passwordHash: hash, passwordChangeRequiredAt: null, updatedAt: now });
    await runtime.audit({ event: 'member.password_changed', actorId: member.id, memberId: member.id, method: 'password', req: context.req, details: { required: context.required } }, manager);
  });
  return endMemberSessions(runtime, member.id, { keepSid: context.keepSid, reason: 'password_changed', actorId: member.id, req: context.req });
}
