import type { Request, Response } from 'express';
import type { SessionData } from 'express-session';
import type { ClaimMethod } from '../audit/events.js';
import type { MemberRow } from '../db/rows.js';
import { AppError } from '../http/errors.js';
import { safeReturnPath } from '../http/return-to.js';
import type { Runtime } from '../runtime.js';
import { regenerateSession, saveSession } from '../session/session.js';
import type { SsoSessionInfo } from '../sso/session-data.js';
import type { FlowData } from './flow-data.js';
import { beginFlow, type Flow } from './flow.js';

/** What proved who the member is when a claim begins. */
export type ClaimProof =
  | { method: 'link'; linkId: string }
  | { method: 'code'; accessCodeId: string }
  | { method: 'sso'; linkId: string | null; sso: SsoSessionInfo; prefill?: FlowData['profile'] };

/** The page of a flow's current state. */
export function stepPath(state: string): string {
  return state === 'done' ? '/claim/flow/finish' : `/claim/flow/${state}`;
}

/**
 * Puts a flow into a fresh session, so that nothing planted in the old one carries over, and sends the browser to the
 * flow's current step. Only the flow's id lives in the session, beside how an SSO session began (for single logout)
 * and, for a member who was already signed in, when that was (re-accepting terms never extends a session's life).
 */
async function enterFlow(req: Request, res: Response, flow: Flow, carried: Partial<Pick<SessionData, 'sso' | 'authenticatedAt' | 'lastSeenAt'>>): Promise<void> {
  await regenerateSession(req);
  req.session.flowId = flow.row.id;
  if (carried.sso) req.session.sso = carried.sso;
  if (carried.authenticatedAt) Object.assign(req.session, { authenticatedAt: carried.authenticatedAt, lastSeenAt: carried.lastSeenAt ?? carried.authenticatedAt });
  await saveSession(req);
  res.redirect(303, stepPath(flow.state));
}

/** Every way into a claim (link, access code, SSO) starts or resumes the flow, counts it, audits it and enters it. */
export async function beginClaim(runtime: Runtime, req: Request, res: Response, member: MemberRow, proof: ClaimProof): Promise<void> {
  const start = {
    purpose: 'claim' as const,
    method: proof.method,
    linkId: proof.method === 'code' ? null : proof.linkId,
    accessCodeId: proof.method === 'code' ? proof.accessCodeId : null,
  };
  const initialData = proof.method === 'sso' && proof.prefill ? { profile: proof.prefill } : undefined;
  const { flow, resumed } = await beginFlow(runtime.db, runtime.config, member, start, runtime.now(), { initialData });
  const method: ClaimMethod = proof.method;
  runtime.metrics.claimOutcomes.inc({ method, outcome: 'started' });
  await runtime.audit({ event: 'claim.started', memberId: member.id, actorId: member.id, method, req, details: { flowId: flow.row.id, resumed } });
  await enterFlow(req, res, flow, proof.method === 'sso' ? { sso: proof.sso } : {});
}

export interface ReacceptanceOptions {
  /** Where the member goes once the new terms are accepted (a local path; anything else is ignored). */
  returnTo?: unknown;
  sso?: SsoSessionInfo;
  /**
   * When the member proved who they are, and when they were last seen: the session's idle and absolute timeouts keep
   * counting from there through the re-acceptance (src/claim/flow-guard.ts), and after it.
   */
  signedIn: { authenticatedAt: number; lastSeenAt: number };
}

/**
 * A claimed member whose accepted terms are out of date accepts the version in force before anything else: at
 * sign-in (password or SSO), on any claimgate page and at the gateway. Always under a fresh session id.
 */
export async function beginReacceptance(runtime: Runtime, req: Request, res: Response, member: MemberRow, options: ReacceptanceOptions): Promise<void> {
  const returnTo = safeReturnPath(options.returnTo);
  const start = { purpose: 'reaccept' as const, method: 'signin' as const, linkId: null, accessCodeId: null };
  const { flow } = await beginFlow(runtime.db, runtime.config, member, start, runtime.now(), { initialData: returnTo ? { returnTo } : undefined });
  await enterFlow(req, res, flow, { sso: options.sso, ...options.signedIn });
}

/**
 * A claimed member typed their employee ID and a recovery code: a flow of one step (the new password) begins under a
 * fresh session id. The member is not signed in by it; they sign in with their username and new password after.
 */
export async function beginRecovery(runtime: Runtime, req: Request, res: Response, member: MemberRow, accessCodeId: string): Promise<void> {
  if (!runtime.config.recovery.enabled) throw new AppError('access_code_invalid', 'recovery switched off');
  const start = { purpose: 'recover' as const, method: 'code' as const, linkId: null, accessCodeId };
  const { flow, resumed } = await beginFlow(runtime.db, runtime.config, member, start, runtime.now());
  await runtime.audit({ event: 'claim.started', memberId: member.id, actorId: member.id, method: 'code', req, details: { flowId: flow.row.id, resumed, purpose: 'recover' } });
  await enterFlow(req, res, flow, {});
}
