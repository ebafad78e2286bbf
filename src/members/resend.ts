import type { Request } from 'express';
import { claimUrl } from '../claim/links.js';
import { usableLinkSql } from '../claim/usable-link.js';
import type { Database } from '../db/database.js';
import type { ClaimLinkRow } from '../db/rows.js';
import { AppError } from '../http/errors.js';
import type { Runtime } from '../runtime.js';
import { sendInvitation } from './invitation-mail.js';
import { inviteByEmail, type InviteResult } from './invite.js';
import { findMemberById } from './lookup.js';

/**
 * The member's newest usable link, if any: the one every invitation, reminder and export carries. Whether the member
 * is still invited is the caller's to check.
 */
export function currentLink(db: Database, memberId: string, now: Date): Promise<ClaimLinkRow | null> {
  return db.source.manager
    .createQueryBuilder(db.entities.ClaimLink, 'c')
    .where('c.member_id = :memberId', { memberId })
    .andWhere(usableLinkSql('c', ':now'), { now })
    .orderBy('c.created_at', 'DESC')
    .getOne();
}

/**
 * Sends the invitation again. A link that still works is sent as it is (it may already be in an exported CSV, and
 * a resend must not break it); a provisioned member, or one whose link expired, gets a new link like a first invite.
 */
export async function resendInvitation(runtime: Runtime, memberId: string, actorId: string, req?: Request): Promise<InviteResult> {
  const { db, config, keys, audit } = runtime;
  const member = await findMemberById(db, memberId);
  if (!member) throw new AppError('not_found', 'no such member', 'No member has that id.', 'admin.invite.errors.noSuchMember');
  if (!member.email) {
    throw new AppError('validation_failed', 'no email to resend to', 'This member has no email address: issue a new access code instead.', 'admin.invite.errors.noEmail');
  }
  if (member.status !== 'invited' && member.status !== 'provisioned') {
    throw new AppError('validation_failed', `member is ${member.status}`, `The member is ${member.status}; only provisioned or invited members get invitations.`,
      `admin.invite.errors.${member.status === 'claimed' ? 'resendClaimed' : 'resendDeactivated'}`,
    );
  }
  const link = member.status === 'invited' ? await currentLink(db, member.id, runtime.now()) : null;
  if (!link) return inviteByEmail(runtime, { email: member.email, actorId, req });
  const url = claimUrl(config.baseUrl, keys.claimLink, link.id);
  await sendInvitation(runtime, member, url, link.expiresAt);
  await audit({ event: 'member.invited', actorId, memberId: member.id, method: 'link', req, details: { reissued: false, resent: true } });
  return {
    id: member.id, email: member.email, name: member.name, status: member.status, loginMethod: member.loginMethod,
    claimUrl: url, expiresAt: link.expiresAt.toISOString(), created: false,
  };
}
