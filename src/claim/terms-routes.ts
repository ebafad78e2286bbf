import type { Router } from 'express';
import { safeReturnPath } from '../http/return-to.js';
import { caseSensitiveRouter } from '../http/router.js';
import { sessionMember } from '../session/session-member.js';
import type { Runtime } from '../runtime.js';
import { beginReacceptance } from './begin.js';
import { termsCurrent } from './terms-currency.js';

/**
 * Where the gateway and claimgate's own pages send a signed-in member whose accepted terms are out of date: the
 * member accepts the version in force, then carries on where they were.
 */
export function termsRoutes(runtime: Runtime): Router {
  const router = caseSensitiveRouter();
  router.get('/_claimgate/terms', async (req, res) => {
    const member = await sessionMember(runtime, req);
    if (!member) return res.redirect(303, '/login');
    const memberId = member.id;
    if (await termsCurrent(runtime, memberId)) return res.redirect(303, safeReturnPath(req.query.returnTo) ?? runtime.config.upstream.landingPath);
    const { sso, authenticatedAt, lastSeenAt } = req.session;
    const now = runtime.now().getTime();
    await beginReacceptance(runtime, req, res, member, { returnTo: req.query.returnTo, sso, signedIn: { authenticatedAt: authenticatedAt ?? now, lastSeenAt: lastSeenAt ?? now } });
  });
  return router;
}
