import type { Request } from 'express';
import type { MemberRow } from '../db/rows.js';
import { AppError } from '../http/errors.js';
import { findMemberById } from '../members/lookup.js';
import type { Runtime } from '../runtime.js';
import { regenerateSession } from './session.js';

/**
 * The member a signed-in session belongs to, while that member may still sign in. A session whose member can no
 * longer sign in ends here, for every page that trusts "the session has a member": a deactivated member gets a page
 * that says so (`account_deactivated`) instead of being sent back and forth between the sign-in page and the app.
 */
export async function sessionMember(runtime: Runtime, req: Request): Promise<MemberRow | undefined> {
  const memberId = req.session?.memberId;
  if (!memberId) return undefined;
  const member = await findMemberById(runtime.db, memberId);
  if (member?.status === 'claimed') return member;
  await regenerateSession(req);
  const reason = member?.status === 'deactivated' ? 'member_deactivated' : 'member_cannot_sign_in';
  await runtime.audit({ event: 'session.ended', memberId, actorId: memberId, req, details: { reason } });
  if (member?.status === 'deactivated') throw new AppError('account_deactivated', 'session of a deactivated member');
  return undefined;
}
