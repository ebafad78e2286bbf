import type { Request } from 'express';
import { issueAccessCode } from '../access-codes/codes.js';
import { supersedeOpenRecoveries } from '../claim/flow.js';
import { AppError } from '../http/errors.js';
import type { Runtime } from '../runtime.js';
import { canRecoverPassword } from './eligibility.js';

/**
 * Issues a recovery code for a claimed member, typically one without email: an access code in every respect (the
 * alphabet, the grouping, the keyed hash, the brakes on guessing, one per member) that opens only a new-password
 * step. A new code kills the old one and any recovery it opened.
 */
export async function issueRecoveryCode(runtime: Runtime, memberId: string, actorId: string, req?: Request) {
  const { db, keys, config, audit } = runtime;
  const member = await db.source.manager.findOneBy(db.entities.Member, { id: memberId });
  if (!member) throw new AppError('not_found', 'no such member', 'No member matches.');
  if (!config.recovery.enabled || !config.claim.methods.accessCode) throw new AppError('validation_failed', 'recovery codes off', 'Recovery codes are switched off.');
  if (!canRecoverPassword(config, member)) {
    throw new AppError('validation_failed', `member is ${member.status}/${member.loginMethod}`, 'Recovery codes are for claimed members who sign in with a password.');
  }
  if (!member.employeeId) throw new AppError('validation_failed', 'no employee ID', 'The member has no employee ID to type beside the code.');
  const now = runtime.now();
  const issued = await db.transaction(async (manager) => {
    await supersedeOpenRecoveries(db, manager, member.id, now);
    const issued = await issueAccessCode(db, keys, manager, member.id, config.recovery.codeTtl, now, 'recovery');
    await audit({ event: 'recovery.code_issued', actorId, memberId: member.id, method: 'code', req, details: { expiresAt: issued.row.expiresAt.toISOString() } }, manager);
    return issued;
  });
  return { id: member.id, employeeId: member.employeeId, username: member.username, recoveryCode: issued.code, expiresAt: issued.row.expiresAt.toISOString() };
}
