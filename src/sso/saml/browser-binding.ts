import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { parse as parseCookies } from 'cookie';
import { ssoFailure } from '../failure.js';

const COOKIE = '__Host-claimgate-saml';

const digest = (value: string) => createHash('sha256').update(value).digest('base64url');

/**
 * The ACS takes a cross-site POST, so the session cookie (SameSite=Lax) never comes with it. On https a second,
 * SameSite=None cookie set when the sign-in starts binds the IdP's answer to the browser that asked: without it an
 * attacker could make a victim's browser post the attacker's own response and sign the victim in as the attacker
 * (login CSRF). Browsers only send SameSite=None cookies over https, so on http there is no binding.
 * Returns the digest to keep with the pending request, or undefined on http.
 */
export function bindBrowser(res: Response, baseUrl: string, ttlMs: number): string | undefined {
  if (!baseUrl.startsWith('https://')) return undefined;
  const value = randomBytes(32).toString('base64url');
  res.cookie(COOKIE, value, { httpOnly: true, secure: true, sameSite: 'none', path: '/', maxAge: ttlMs });
  return digest(value);
}

/** Refuses an answer that a different browser started; clears the cookie either way. */
export function checkBrowserBinding(req: Request, res: Response, expected: string | undefined): void {
  if (!expected) return;
  const given = parseCookies(req.headers.cookie ?? '')[COOKIE];
  res.clearCookie(COOKIE, { httpOnly: true, secure: true, sameSite: 'none', path: '/' });
  const matches = given !== undefined && timingSafeEqual(Buffer.from(digest(given)), Buffer.from(expected));
  if (!matches) throw ssoFailure('saml_browser_mismatch', 'the response was posted by a browser that did not start this sign-in');
}
