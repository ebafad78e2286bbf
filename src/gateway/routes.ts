import type { Router } from 'express';
import { startOrResumeFlow } from '../claim/flows.js';
import { AppError } from '../http/errors.js';
import { safeReturnPath } from '../http/return-to.js';
import { caseSensitiveRouter } from '../http/router.js';
import type { Runtime } from '../runtime.js';
import { decide } from './gate.js';
import type { IdentityTokens } from './identity-token.js';

/** The published identity-token keys, and the page that sends a member through new terms. */
export function gatewayRoutes(runtime: Runtime, tokens: IdentityTokens): Router {
  const { db, config } = runtime;
  const router = caseSensitiveRouter();

  router.get('/.well-known/jwks.json', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json(tokens.jwks());
  });

  // A claimed member whose accepted terms are out of date accepts the new version, then carries on.
  router.get('/_claimgate/terms', async (req, res) => {
    const memberId = req.session?.memberId;
    if (!memberId) return res.redirect(303, '/login');
    const member = await db.source.manager.findOneBy(db.entities.Member, { id: memberId });
    if (!member || member.status !== 'claimed') throw new AppError('not_signed_in', 'terms for a non-claimed member');
    const decision = await decide(runtime, memberId);
    if (decision.ok || decision.reason !== 'terms') return res.redirect(303, safeReturnPath(req.query.returnTo) ?? config.upstream.landingPath);
    const { flow } = await startOrResumeFlow(db, config, member, { purpose: 'reaccept', method: 'signin', linkId: null, accessCodeId: null }, runtime.now());
    req.session.flowId = flow.row.id;
    res.redirect(303, `/claim/flow/${flow.state}`);
  });

  return router;
}
