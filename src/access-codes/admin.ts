import type { Request } from 'express';
import { AppError } from '../http/errors.js';
import type { Runtime } from '../runtime.js';
import { issueAccessCode, revokeAccessCodes } from './codes.js';

/** Issues a new code for an invited member; the old one dies at once (and with it any lock-out). */
export async function reissueAccessCode(runtime: Runtime, memberId: string, actorId: string, req?: Request) {
  const { db, keys, config, audit } = runtime;
  const member = await db.source.manager.findOneBy(db.entities.Member, { id: memberId });
  if (!member) throw new AppError('not_found', 'no such member', 'No member matches.');
  if (member.status !== 'invited') throw new AppError('validation_failed', `member is ${member.status}`, `The member is ${member.status}; access codes are for invited members.`);
  const now = runtime.now();
  const issued = await db.transaction(async (manager) => {
    const issued = await issueAccessCode(db, keys, manager, member.id, config.claim.accessCodeTtl, now);
    await audit({ event: 'member.code_issued', actorId, memberId: member.id, method: 'code', req }, manager);
    return issued;
  });
  return { id: member.id, employeeId: member.employeeId, accessCode: issued.code, expiresAt: issued.row.expiresAt.toISOString() };
}

export async function deactivateAccessCode(runtime: Runtime, memberId: string, actorId: string, req?: Request) {
  const { db, audit } = runtime;
  const member = await db.source.manager.findOneBy(db.entities.Member, { id: memberId });
  if (!member) throw new AppError('not_found', 'no such member', 'No member matches.');
  const revoked = await db.transaction(async (manager) => {
    const revoked = await revokeAccessCodes(db, manager, member.id, runtime.now());
    await audit({ event: 'member.code_revoked', actorId, memberId: member.id, method: 'code', req, details: { revoked } }, manager);
    return revoked;
  });
  return { id: member.id, employeeId: member.employeeId, revoked };
}
