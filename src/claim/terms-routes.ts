import type { Router } from 'express';
import { AppError } from '../http/errors.js';
import { safeReturnPath } from '../http/return-to.js';
import { caseSensitiveRouter } from '../http/router.js';
import { findMemberById } from '../members/lookup.js';
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
    const memberId = req.session?.memberId;
    if (!memberId) return res.redirect(303, '/login');
    const member = await findMemberById(runtime.db, memberId);
    if (!member || member.status !== 'claimed') throw new AppError('not_signed_in', 'terms for a non-claimed member');
    if (await termsCurrent(runtime, memberId)) return res.redirect(303, safeReturnPath(req.query.returnTo) ?? runtime.config.upstream.landingPath);
    const { sso, authenticatedAt, lastSeenAt } = req.session;
    const now = runtime.now().getTime();
    await beginReacceptance(runtime, req, res, member, { returnTo: req.query.returnTo, sso, signedIn: { authenticatedAt: authenticatedAt ?? now, lastSeenAt: lastSeenAt ?? now } });
  });
  return router;
}
