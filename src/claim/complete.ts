import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import { IsNull, type EntityManager } from 'typeorm';
import type { ClaimMethod } from '../audit/events.js';
import type { MemberRow } from '../db/rows.js';
import { AppError } from '../http/errors.js';
import type { Runtime } from '../runtime.js';
import { applyEvent, applyEventNow, type Flow } from './flow.js';
import { normalizeUsername, usernameTaken } from './steps/username.js';
import { isUniqueViolation } from '../db/errors.js';
import { completeRecovery } from '../recovery/complete.js';

/** Something the claim needs changed under it: the answer names what, as the page before completion would have. */
class LostRace extends Error {
  constructor(readonly answer: AppError) {
    super(answer.message);
  }
}

/** How a flow's claim is named in audit rows and metrics: a re-acceptance began with a password sign-in. */
export function auditMethod(flow: Flow): ClaimMethod {
  return flow.row.method === 'signin' ? 'password' : flow.row.method;
}

async function recordTermsAcceptance(runtime: Runtime, manager: EntityManager, flow: Flow, req: Request): Promise<void> {
  const terms = flow.data.terms;
  if (!terms) return;
  const { db, audit } = runtime;
  await manager.insert(db.entities.TermsAcceptance, {
    id: randomUUID(), memberId: flow.row.memberId, version: terms.version, locale: terms.locale, acceptedAt: new Date(terms.acceptedAt),
  });
  await audit({ event: 'terms.accepted', actorId: flow.row.memberId, memberId: flow.row.memberId, req, details: { version: terms.version, locale: terms.locale } }, manager);
}

/** The member's changes a claim makes, from what the steps collected. */
function claimedMember(flow: Flow, now: Date): Partial<MemberRow> {
  const { profile, passwordHash, username } = flow.data;
  const changes: Partial<MemberRow> = { status: 'claimed', claimedAt: now, updatedAt: now };
  if (username) Object.assign(changes, { username, usernameNormalized: normalizeUsername(username) });
  if (profile) {
    const { pictureId, ...fields } = profile;
    Object.assign(changes, fields);
    if (pictureId) changes.pictureId = pictureId;
  }
  if (passwordHash) changes.passwordHash = passwordHash;
  // Claimed through the identity provider: from now on the member signs in there.
  if (flow.row.method === 'sso') changes.loginMethod = 'sso';
  return changes;
}

/**
 * Finishes a claim in one transaction: the member becomes claimed (only if still invited, so two racing completions
 * give one claim), the link is used up and every other link dies, profile, picture, password, terms acceptance and
 * memberships are written, and `claim.completed` is audited. Any failure rolls all of it back; a username taken
 * meanwhile opens that step again.
 */
async function completeClaim(runtime: Runtime, flow: Flow, req: Request): Promise<Completion> {
  const { db } = runtime;
  const now = runtime.now();
  try {
    await db.transaction((manager) => writeClaim(runtime, manager, flow, req, now));
    return 'completed';
  } catch (error) {
    if (error instanceof LostRace) throw error.answer;
    if (!flow.data.username || !isUniqueViolation(error) || !(await usernameTaken(db, normalizeUsername(flow.data.username)))) throw error;
  }
  // Someone claimed the same username since this member chose it: only that step opens again.
  const { username: _taken, ...data } = flow.data;
  if (!(await applyEventNow(db, flow, { type: 'reopen_username' }, runtime.now(), data))) throw new AppError('claim_step_out_of_order', 'flow changed concurrently');
  return 'username_taken';
}

async function writeClaim(runtime: Runtime, manager: EntityManager, flow: Flow, req: Request, now: Date): Promise<void> {
  const { db, audit } = runtime;
  const member = await manager.update(db.entities.Member, { id: flow.row.memberId, status: 'invited' }, claimedMember(flow, now));
  if (member.affected !== 1) throw new LostRace(new AppError('claim_already_completed', 'claim completed concurrently'));
  if (flow.row.linkId) {
    const link = await manager.update(db.entities.ClaimLink, { id: flow.row.linkId, usedAt: IsNull(), revokedAt: IsNull() }, { usedAt: now });
    if (link.affected !== 1) throw new LostRace(new AppError('claim_link_invalid', 'link revoked or used before completion'));
  }
  if (flow.row.accessCodeId) {
    const code = await manager.update(db.entities.AccessCode, { id: flow.row.accessCodeId, usedAt: IsNull(), revokedAt: IsNull() }, { usedAt: now });
    if (code.affected !== 1) throw new LostRace(new AppError('access_code_invalid', 'code revoked or used before completion'));
  }
  // Whatever else could still start a claim for this member dies with the claim.
  await manager.update(db.entities.ClaimLink, { memberId: flow.row.memberId, usedAt: IsNull(), revokedAt: IsNull() }, { revokedAt: now });
  await manager.update(db.entities.AccessCode, { memberId: flow.row.memberId, usedAt: IsNull(), revokedAt: IsNull() }, { revokedAt: now });
  const pictureId = flow.data.profile?.pictureId;
  if (pictureId) await manager.update(db.entities.Picture, { id: pictureId, flowId: flow.row.id }, { memberId: flow.row.memberId });
  for (const groupId of flow.data.groupIds ?? []) {
    await manager.insert(db.entities.Membership, { memberId: flow.row.memberId, groupId, createdAt: now });
  }
  await recordTermsAcceptance(runtime, manager, flow, req);
  // The collected data (a password hash among it) now lives on the member; the completed flow keeps none of it.
  if (!(await applyEvent(db, manager, flow, { type: 'complete' }, now))) throw new LostRace(new AppError('claim_flow_missing', 'flow ended before completion'));
  await audit({ event: 'claim.completed', actorId: flow.row.memberId, memberId: flow.row.memberId, method: auditMethod(flow), req, details: { flowId: flow.row.id, steps: flow.completed } }, manager);
  db.afterCommit(manager, () => runtime.metrics.claimOutcomes.inc({ method: auditMethod(flow), outcome: 'completed' }));
}

/** A claimed member accepted a new version of the terms: store it and close the flow. */
async function completeReacceptance(runtime: Runtime, flow: Flow, req: Request): Promise<Completion> {
  const { db } = runtime;
  const now = runtime.now();
  await db.transaction(async (manager) => {
    if (!(await applyEvent(db, manager, flow, { type: 'complete' }, now))) throw new AppError('claim_flow_missing', 'reacceptance finished concurrently');
    await recordTermsAcceptance(runtime, manager, flow, req);
  });
  return 'completed';
}

/** A recovery code's flow: the new password replaces the old one, the code is used up and the flow closes, at once. */
async function completeRecoveryFlow(runtime: Runtime, flow: Flow, req: Request): Promise<Completion> {
  const { passwordHash } = flow.data;
  if (!passwordHash || !flow.row.accessCodeId) throw new AppError('claim_flow_missing', 'recovery without a password or code');
  const outcome = await completeRecovery(runtime, flow.row.memberId, passwordHash, { kind: 'code', accessCodeId: flow.row.accessCodeId }, req, async (manager) => {
    if (!(await applyEvent(runtime.db, manager, flow, { type: 'complete' }, runtime.now()))) throw new AppError('claim_flow_missing', 'recovery finished concurrently');
  });
  if (outcome === 'refused') throw new AppError('access_code_invalid', 'recovery code used or revoked before completion');
  return 'completed';
}

/** `username_taken`: the claim was not written and the flow is back at the username step. */
export type Completion = 'completed' | 'username_taken';

export async function completeFlow(runtime: Runtime, flow: Flow, req: Request): Promise<Completion> {
  const complete = { claim: completeClaim, reaccept: completeReacceptance, recover: completeRecoveryFlow }[flow.row.purpose];
  const completion = await complete(runtime, flow, req);
  if (completion === 'completed') runtime.identities.forget(flow.row.memberId);
  return completion;
}
