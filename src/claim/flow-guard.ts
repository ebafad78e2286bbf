import type { Request } from 'express';
import type { MemberRow } from '../db/rows.js';
import { AppError } from '../http/errors.js';
import type { Runtime } from '../runtime.js';
import { expireFlow, isPastExpiry, loadFlow, type Flow } from './flow.js';
import { isOpen } from './machine.js';
import { isLinkUsable } from './links.js';
import { isCodeUsable } from '../access-codes/codes.js';
import { sessionVerdict } from '../session/session-clock.js';
import { regenerateSession } from '../session/session.js';

export interface LiveFlow {
  flow: Flow;
  member: MemberRow;
}

/**
 * A member re-accepting terms has already signed in: their session's idle and absolute timeouts run on through the
 * terms page, as they do everywhere else, and a browser left there does not sign anyone in later.
 */
async function requireSignedInClock(runtime: Runtime, req: Request): Promise<void> {
  const now = runtime.now().getTime();
  const verdict = req.session.authenticatedAt ? sessionVerdict(req.session, now, runtime.config.session) : 'absolute_timeout';
  if (verdict === 'idle_timeout' || verdict === 'absolute_timeout') {
    await regenerateSession(req);
    throw new AppError('not_signed_in', `re-acceptance after the session's ${verdict}`);
  }
  if (verdict === 'refresh') req.session.lastSeenAt = now;
}

/**
 * Every claim request starts here: the flow named in the session must exist, be unexpired and unfinished,
 * and what proved the member's identity must still hold (a claim link revoked or replaced mid-flow ends the flow).
 */
export async function requireLiveFlow(runtime: Runtime, req: Request): Promise<LiveFlow> {
  const { db } = runtime;
  const flowId = req.session?.flowId;
  const flow = flowId ? await loadFlow(db, flowId) : undefined;
  const now = runtime.now();
  if (flow?.state === 'superseded') throw new AppError('claim_link_invalid', 'flow ended by a revoked or replaced credential');
  if (!flow || !isOpen(flow.state)) throw new AppError('claim_flow_missing', 'no live flow in session');
  if (isPastExpiry(flow, now)) {
    await expireFlow(db, flow, now);
    throw new AppError('claim_flow_missing', 'flow expired');
  }
  const member = await db.source.manager.findOneBy(db.entities.Member, { id: flow.row.memberId });
  if (!member) throw new AppError('claim_flow_missing', 'flow member gone');
  if (flow.row.purpose === 'claim') {
    if (member.status === 'claimed') throw new AppError('claim_already_completed', 'member is claimed');
    if (member.status !== 'invited') throw new AppError('claim_link_invalid', `member is ${member.status}`);
    if (flow.row.linkId) {
      const link = await db.source.manager.findOneBy(db.entities.ClaimLink, { id: flow.row.linkId });
      if (!link || !isLinkUsable(link, member, now)) throw new AppError('claim_link_invalid', 'link no longer usable mid-flow');
    }
    if (flow.row.accessCodeId) {
      const code = await db.source.manager.findOneBy(db.entities.AccessCode, { id: flow.row.accessCodeId });
      // A lock stops new guesses; it does not end a flow the right code already opened.
      if (!code || !isCodeUsable({ ...code, lockedAt: null }, member, now)) throw new AppError('access_code_invalid', 'code no longer usable mid-flow');
    }
  } else if (flow.row.purpose === 'recover') {
    const code = flow.row.accessCodeId ? await db.source.manager.findOneBy(db.entities.AccessCode, { id: flow.row.accessCodeId }) : null;
    if (!code || code.purpose !== 'recovery' || !isCodeUsable({ ...code, lockedAt: null }, member, now)) throw new AppError('access_code_invalid', 'recovery code no longer usable mid-flow');
  } else {
    if (member.status !== 'claimed') throw new AppError('claim_flow_missing', `reaccept for ${member.status} member`);
    await requireSignedInClock(runtime, req);
  }
  return { flow, member };
}
