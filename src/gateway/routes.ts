import type { Router } from 'express';
import { startOrResumeFlow } from '../claim/flows.js';
import { AppError } from '../http/errors.js';
import { safeReturnPath } from '../http/return-to.js';
import { caseSensitiveRouter } from '../http/router.js';
import type { Runtime } from '../runtime.js';
import { decide } from './gate.js';
import { identityHeaders } from './identity-headers.js';
import type { IdentityTokens } from './identity-token.js';

function allowedGroups(value: unknown): string[] | undefined {
  if (typeof value !== 'string' || !value.trim()) return undefined;
  return value.split(',').map((group) => group.trim()).filter(Boolean);
}

/** The endpoints other servers call: the published keys, and forward-auth for nginx and Traefik. */
export function gatewayRoutes(runtime: Runtime, tokens: IdentityTokens): Router {
  const { db, config } = runtime;
  const router = caseSensitiveRouter();

  router.get('/.well-known/jwks.json', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json(tokens.jwks());
  });

  // nginx auth_request / Traefik forwardAuth: 202 with the identity headers, 401 to sign in, 403 outside the groups.
  router.get('/auth/verify', async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const decision = await decide(runtime, req);
    if (!decision.ok) return res.status(401).json({ error: { code: decision.reason === 'terms' ? 'terms_not_accepted' : 'not_signed_in' } });
    const wanted = allowedGroups(req.query.allowed_groups);
    if (wanted && !wanted.some((group) => decision.identity.groups.includes(group))) {
      return res.status(403).json({ error: { code: 'not_in_group' } });
    }
    res.set(identityHeaders(decision.identity, await tokens.tokenFor(req.sessionID, decision.identity))).status(202).end();
  });

  // A claimed member whose accepted terms are out of date accepts the new version, then carries on.
  router.get('/_claimgate/terms', async (req, res) => {
    const memberId = req.session?.memberId;
    if (!memberId) return res.redirect(303, '/login');
    const member = await db.source.manager.findOneBy(db.entities.Member, { id: memberId });
    if (!member || member.status !== 'claimed') throw new AppError('not_signed_in', 'terms for a non-claimed member');
    const decision = await decide(runtime, req);
    if (decision.ok || decision.reason !== 'terms') return res.redirect(303, safeReturnPath(req.query.returnTo) ?? config.upstream.landingPath);
    const { flow } = await startOrResumeFlow(db, config, member, { purpose: 'reaccept', method: 'signin', linkId: null, accessCodeId: null }, runtime.now());
    req.session.flowId = flow.row.id;
    res.redirect(303, `/claim/flow/${flow.state}`);
  });

  return router;
}
