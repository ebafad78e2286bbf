import type { Router } from 'express';
import { safeReturnPath } from '../http/return-to.js';
import { caseSensitiveRouter } from '../http/router.js';
import type { Runtime } from '../runtime.js';
import { isSupportedLocale } from './locales.js';
import { LANGUAGE_COOKIE } from './request-locale.js';

const ONE_YEAR_MS = 365 * 24 * 3600 * 1000;

/**
 * The language switcher: plain links (no JavaScript) that remember the choice in a cookie and return to the page.
 * Only a language claimgate ships is stored, and only a path on this host is followed back.
 */
export function languageRoutes(runtime: Runtime): Router {
  const router = caseSensitiveRouter();
  router.get('/_claimgate/language', (req, res) => {
    const wanted = req.query.lng;
    if (isSupportedLocale(wanted)) {
      res.cookie(LANGUAGE_COOKIE, wanted, {
        path: '/', httpOnly: true, sameSite: 'lax', secure: runtime.config.baseUrl.startsWith('https://'), maxAge: ONE_YEAR_MS,
      });
    }
    res.set('Cache-Control', 'no-store').redirect(303, safeReturnPath(req.query.returnTo) ?? '/login');
  });
  return router;
}
