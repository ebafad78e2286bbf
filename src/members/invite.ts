import { newMemberRow } from './new-member.js';
import type { Request } from 'express';
import { claimUrl, issueLink } from '../claim/links.js';
import type { LoginMethod, MemberRow } from '../db/rows.js';
import { AppError } from '../http/errors.js';
import type { Runtime } from '../runtime.js';
import { findMemberByEmail } from './lookup.js';
import { isEmail, normalizeEmail } from './normalize.js';
import { sendInvitation } from './invitation-mail.js';
import { inviteOnce, saveInvitedMember } from './invited-member.js';
import { refuseExistingInvitee } from './invite-conflict.js';
import { providerForEmail } from '../sso/providers.js';

export interface InviteInput {
  email: string;
  name?: string;
  loginMethod?: LoginMethod;
  actorId: string;
  req?: Request;
  /** Whether an invited member gets a fresh link (pages, CLI, import) or the invite answers 409 (the API). */
  reissue?: boolean;
}

export interface InviteResult {
  id: string;
  email: string;
  name: string | null;
  status: MemberRow['status'];
  loginMethod: LoginMethod;
  claimUrl: string;
  expiresAt: string;
  created: boolean;
}

/**
 * Creates the member if needed, issues a fresh claim link (every older link dies), and mails it.
 * Inviting a claimed or deactivated member is refused: their account is not up for claiming.
 */
export async function inviteByEmail(runtime: Runtime, input: InviteInput): Promise<InviteResult> {
  const { db, config, keys, audit } = runtime;
  if (!config.claim.methods.link) throw new AppError('validation_failed', 'claim links off', 'Claim links are switched off in the configuration (claim.methods.link).', 'admin.invite.errors.linksOff');
  if (!isEmail(input.email)) throw new AppError('validation_failed', 'invalid email', `"${input.email}" is not an email address.`, 'admin.invite.errors.invalidEmail', { email: input.email });
  const email = input.email.trim();
  if (input.loginMethod === 'sso' && !providerForEmail(config, email)) {
    const domain = email.split('@')[1];
    throw new AppError('validation_failed', 'no provider for sso member', `No single sign-on provider serves ${domain}: configure one in sso.providers first.`, 'admin.invite.errors.noSsoProvider', { domain });
  }
  const now = runtime.now();
  const reissue = input.reissue ?? true;
  const existing = await findMemberByEmail(db, email);
  if (!reissue) refuseExistingInvitee({ email }, existing);
  if (existing && (existing.status === 'claimed' || existing.status === 'deactivated')) {
    throw new AppError('validation_failed', `member is ${existing.status}`, `${email} is ${existing.status} and cannot be invited.`, `admin.invite.errors.${existing.status === 'claimed' ? 'emailClaimed' : 'emailDeactivated'}`, { email });
  }

  const { member, link, created } = await inviteOnce(reissue, { email }, () => findMemberByEmail(db, email), () => db.transaction(async (manager) => {
    const member = await saveInvitedMember(db, manager, existing, () => newMemberRow({
      email, emailNormalized: normalizeEmail(email), name: input.name ?? null,
      loginMethod: input.loginMethod ?? config.members.defaultLoginMethod, status: 'invited', invitedAt: now,
    }, now), { name: input.name ?? existing?.name ?? null, loginMethod: input.loginMethod ?? existing?.loginMethod ?? config.members.defaultLoginMethod }, now, reissue);
    const link = await issueLink(db, manager, member.id, config.claim.linkTtl, now);
    if (!existing) await audit({ event: 'member.provisioned', actorId: input.actorId, memberId: member.id, req: input.req }, manager);
    await audit({ event: 'member.invited', actorId: input.actorId, memberId: member.id, method: 'link', req: input.req, details: { reissued: existing?.status === 'invited', resent: false } }, manager);
    return { member, link, created: !existing };
  }));

  const url = claimUrl(config.baseUrl, keys.claimLink, link.id);
  await sendInvitation(runtime, member, url, link.expiresAt);
  return {
    id: member.id, email, name: member.name, status: member.status, loginMethod: member.loginMethod,
    claimUrl: url, expiresAt: link.expiresAt.toISOString(), created,
  };
}
