import { newMemberRow } from '../members/new-member.js';
import type { Request, Response } from 'express';
import { termsCurrent } from '../claim/terms-currency.js';
import { beginClaim, beginReacceptance } from '../claim/begin.js';
import type { FlowData } from '../claim/flow-data.js';
import { isLinkUsable } from '../claim/links.js';
import { PROFILE_FIELDS, type ProfileField } from '../config/schema.js';
import type { MemberRow } from '../db/rows.js';
import { isUniqueViolation } from '../db/errors.js';
import { profileFieldProblem } from '../members/field-rules.js';
import { normalizeEmail } from '../members/normalize.js';
import type { Runtime } from '../runtime.js';
import { signIn } from '../session/session.js';
import { setAssignedGroups } from '../groups/assigned.js';
import { linkIdentity, resolveMember } from './accounts.js';
import { renderSsoFailure } from './failure.js';
import type { SsoIdentity } from './identity.js';
import { findProvider } from './providers.js';
import type { SsoSessionInfo } from './session-data.js';
import type { SsoStart } from './start.js';
import { safeReturnPath } from '../http/return-to.js';

/** What a protocol keeps for single logout (an OIDC ID token, a SAML NameID and SessionIndex). */
export type SsoLogoutInfo = Omit<SsoSessionInfo, 'providerId' | 'protocol'>;

interface Context {
  req: Request;
  res: Response;
  runtime: Runtime;
  identity: SsoIdentity;
  start: SsoStart;
  traceId: string;
  logout: SsoLogoutInfo;
}

function fail(ctx: Context, reason: string, detail: string, memberId: string | null = null, event: 'claim.sso_failed' | 'login.failed' | 'claim.sso_mismatch' = ctx.start.claimLinkId ? 'claim.sso_failed' : 'login.failed') {
  return renderSsoFailure(ctx.req, ctx.res, ctx.runtime, {
    providerId: ctx.identity.providerId, reason, detail, traceId: ctx.traceId, event, memberId,
    ...(reason === 'member_not_allowed' ? { code: 'sso_not_allowed' as const } : {}),
  });
}

/** IdP attributes that prefill the profile step: configured fields only, each a value the profile step would accept. */
function profileFromIdentity(runtime: Runtime, identity: SsoIdentity): FlowData['profile'] | undefined {
  const fields = runtime.config.firstAccess.profile.fields;
  const values: Record<string, string> = { ...identity.attributes, ...(identity.name ? { name: identity.name } : {}) };
  const profile: Partial<Record<ProfileField, string>> = {};
  for (const field of PROFILE_FIELDS) {
    const value = values[field]?.trim();
    if (fields.includes(field) && value && !profileFieldProblem(field, value)) profile[field] = value;
  }
  return Object.keys(profile).length ? profile : undefined;
}

/** How this session began at the provider, for single logout. */
function ssoSession(ctx: Context): SsoSessionInfo {
  return { providerId: ctx.identity.providerId, protocol: ctx.identity.protocol, ...ctx.logout };
}

/** The provider's word on the member's groups replaces what it said before (other sources' assignments stay). */
async function refreshAssignedGroups(ctx: Context, member: MemberRow): Promise<void> {
  const { runtime, identity } = ctx;
  if (!identity.groups) return;
  await runtime.db.transaction((manager) => setAssignedGroups(runtime, manager, member.id, identity.groups!, `sso:${identity.providerId}`, null));
}

/** Starts (or resumes) the member's claim with SSO as the proof: no password step, no local password. */
async function startClaim(ctx: Context, member: MemberRow, linkId: string | null): Promise<void> {
  const { runtime, req, res, identity, traceId } = ctx;
  await refreshAssignedGroups(ctx, member);
  await runtime.audit({ event: 'claim.sso_succeeded', memberId: member.id, actorId: member.id, method: 'sso', traceId, req, details: { provider: identity.providerId, traceId } });
  // How the session began is kept through the claim, so that signing out later also ends the provider's session.
  await beginClaim(runtime, req, res, member, { method: 'sso', linkId, sso: ssoSession(ctx), prefill: profileFromIdentity(runtime, identity) });
}

async function signInMember(ctx: Context, member: MemberRow): Promise<void> {
  const { runtime, req, res, identity, traceId, start } = ctx;
  const { config, audit } = runtime;
  await refreshAssignedGroups(ctx, member);
  await audit({ event: 'login.succeeded', actorId: member.id, memberId: member.id, method: 'sso', traceId, req, details: { provider: identity.providerId, traceId } });
  if (!(await termsCurrent(runtime, member.id))) {
    const now = runtime.now().getTime();
    return beginReacceptance(runtime, req, res, member, { sso: ssoSession(ctx), returnTo: start.returnTo, signedIn: { authenticatedAt: now, lastSeenAt: now } });
  }
  await signIn(req, member.id, runtime.now(), { sso: ssoSession(ctx) });
  res.redirect(303, safeReturnPath(start.returnTo) ?? config.upstream.landingPath);
}

/** Just-in-time provisioning: a new invited SSO member for an identity nobody was invited for. */
async function provision(ctx: Context, email: string): Promise<MemberRow | undefined> {
  const { runtime, identity, req } = ctx;
  const { db, audit } = runtime;
  const now = runtime.now();
  const member = newMemberRow({
    email, emailNormalized: normalizeEmail(email), name: identity.name ?? null, loginMethod: 'sso', status: 'invited', invitedAt: now,
  }, now);
  try {
    await db.transaction(async (manager) => {
      await manager.insert(db.entities.Member, member);
      await audit({ event: 'member.provisioned', actorId: member.id, memberId: member.id, method: 'sso', req, details: { provider: identity.providerId, jit: true } }, manager);
    });
  } catch (error) {
    if (isUniqueViolation(error)) return undefined;
    throw error;
  }
  return member;
}

/** The SSO-gated claim: the identity must be the member the claim link was issued to. */
async function finishLinkClaim(ctx: Context, linkId: string): Promise<void> {
  const { runtime, identity } = ctx;
  const { db } = runtime;
  const link = await db.source.manager.findOneBy(db.entities.ClaimLink, { id: linkId });
  const invited = link ? await db.source.manager.findOneBy(db.entities.Member, { id: link.memberId }) : null;
  if (!link || !invited || !isLinkUsable(link, invited, runtime.now())) {
    return fail(ctx, 'claim_link_unusable', 'claim link no longer usable when the provider answered', invited?.id ?? null);
  }
  const provider = findProvider(runtime.config, identity.providerId)!;
  const resolved = await resolveMember(db, provider, identity);
  const matches = (resolved.kind === 'linked' || resolved.kind === 'email') && resolved.member.id === invited.id;
  if (!matches) {
    return fail(ctx, 'identity_mismatch', `identity ${resolved.kind} does not match the invited member`, invited.id, 'claim.sso_mismatch');
  }
  if (!(await linkIdentity(db, invited, identity, runtime.now()))) return fail(ctx, 'identity_conflict', 'identity linked concurrently', invited.id);
  await startClaim(ctx, invited, link.id);
}

/** Identity-first sign-in: a claimed member signs in; an invited one starts the claim; others are refused. */
async function finishSignIn(ctx: Context): Promise<void> {
  const { runtime, identity } = ctx;
  const { db, config } = runtime;
  const provider = findProvider(config, identity.providerId)!;
  const resolved = await resolveMember(db, provider, identity);
  if (resolved.kind === 'conflict') return fail(ctx, 'identity_conflict', 'member already linked to another identity', resolved.member.id);
  let member = resolved.kind === 'unknown' ? undefined : resolved.member;
  if (!member) {
    const jit = 'jitProvisioning' in provider && provider.jitProvisioning === true;
    if (!jit || !identity.email || !config.claim.methods.sso) return fail(ctx, 'unknown_identity', 'no member for this identity');
    member = await provision(ctx, identity.email);
    if (!member) return fail(ctx, 'identity_conflict', 'member created concurrently');
  }
  if (member.status === 'claimed') {
    if (!(await linkIdentity(db, member, identity, runtime.now()))) return fail(ctx, 'identity_conflict', 'identity linked concurrently', member.id);
    return signInMember(ctx, member);
  }
  if (member.status === 'invited') {
    if (!config.claim.methods.sso) return fail(ctx, 'sso_claim_off', 'claim by SSO is switched off', member.id, 'claim.sso_failed');
    if (!(await linkIdentity(db, member, identity, runtime.now()))) return fail(ctx, 'identity_conflict', 'identity linked concurrently', member.id);
    return startClaim(ctx, member, null);
  }
  return fail(ctx, 'member_not_allowed', `member is ${member.status}`, member.id);
}

/**
 * Called by the SAML ACS and the OIDC callback once every protocol check has passed. Relies on nothing from the
 * incoming session: what the request started with comes in `start`, kept server-side by the protocol.
 */
export async function finishSso(req: Request, res: Response, runtime: Runtime, identity: SsoIdentity, start: SsoStart, traceId: string, logout: SsoLogoutInfo = {}): Promise<void> {
  const ctx: Context = { req, res, runtime, identity, start, traceId, logout };
  if (!findProvider(runtime.config, identity.providerId)) return fail(ctx, 'unknown_provider', 'provider not in config');
  if (start.claimLinkId) return finishLinkClaim(ctx, start.claimLinkId);
  return finishSignIn(ctx);
}
