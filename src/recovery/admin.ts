import type { Request } from 'express';
import { AppError } from '../http/errors.js';
import type { Runtime } from '../runtime.js';
import { canRecoverPassword } from './eligibility.js';
import { issueAndSend } from './request.js';

/** An admin sends a member a recovery link (the older one dies); the mail has left when this returns. */
export async function sendRecoveryLinkFor(runtime: Runtime, memberId: string, actorId: string, req?: Request) {
  const { db, config } = runtime;
  const member = await db.source.manager.findOneBy(db.entities.Member, { id: memberId });
  if (!member) throw new AppError('not_found', 'no such member', 'No member matches.');
  if (!canRecoverPassword(config, member)) {
    throw new AppError('validation_failed', `member is ${member.status}/${member.loginMethod}`, 'Recovery links are for claimed members who sign in with a password.');
  }
  if (!member.email) throw new AppError('validation_failed', 'no email', 'The member has no email address. Issue a recovery code instead.');
  const { expiresAt } = await issueAndSend(runtime, member, { actorId, req, awaitMail: true });
  return { id: member.id, email: member.email, expiresAt: expiresAt.toISOString() };
}
