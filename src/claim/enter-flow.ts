import type { Request, Response } from 'express';
import type { SessionData } from 'express-session';
import { regenerateSession } from '../session/session.js';
import type { Flow } from './flows.js';

/** The page of a flow's current state. */
export function stepPath(state: string): string {
  return state === 'done' ? '/claim/flow/finish' : `/claim/flow/${state}`;
}

/**
 * Puts a claim (or re-acceptance) flow into a fresh session, so that nothing planted in the old one carries over, and
 * sends the browser to the flow's current step. Only the flow's id lives in the session.
 */
export async function enterFlow(req: Request, res: Response, flow: Flow, extra: Partial<Pick<SessionData, 'sso'>> = {}): Promise<void> {
  await regenerateSession(req);
  req.session.flowId = flow.row.id;
  Object.assign(req.session, extra);
  res.redirect(303, stepPath(flow.state));
}
