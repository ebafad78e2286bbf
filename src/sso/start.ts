import type { Request, Response } from 'express';
import { AppError } from '../http/errors.js';
import { safeReturnPath } from '../http/return-to.js';
import type { Runtime } from '../runtime.js';
import { findProvider } from './providers.js';
import './session-data.js';
import { saveSession } from '../session/session.js';

/** What an SP-initiated request remembers server-side until the identity provider answers. */
export interface SsoStart {
  providerId: string;
  /** Set when a claim link for an SSO member was opened (SSO-gated claim). */
  claimLinkId?: string;
  /** A relative path only, already checked by src/http/return-to.ts. */
  returnTo?: string;
  /** The email typed on the sign-in page. */
  loginHint?: string;
  /** SAML on https: the digest of the cookie that ties the IdP's answer to the browser that started (login CSRF). */
  browserBinding?: string;
}

/**
 * The protocol-neutral entry: the claim link and the sign-in page call this. The start waits in the session
 * (the protocol's login route takes it) and the browser goes on with a 303 to that route.
 */
export async function beginSso(req: Request, res: Response, runtime: Runtime, start: SsoStart): Promise<void> {
  const provider = findProvider(runtime.config, start.providerId);
  if (!provider) throw new AppError('not_found', `unknown SSO provider ${start.providerId}`);
  const returnTo = safeReturnPath(start.returnTo);
  req.session.ssoStart = {
    providerId: provider.id,
    ...(start.claimLinkId ? { claimLinkId: start.claimLinkId } : {}),
    ...(returnTo ? { returnTo } : {}),
    ...(start.loginHint ? { loginHint: start.loginHint.slice(0, 320) } : {}),
  };
  await saveSession(req);
  res.redirect(303, `/sso/${provider.type}/${encodeURIComponent(provider.id)}/login`);
}

/**
 * Used by each protocol's login route: reads and clears the waiting start for this provider,
 * or a bare `{ providerId }` when there is none (a bookmarked login URL).
 */
export function takeSsoStart(req: Request, providerId: string): SsoStart {
  const waiting = req.session?.ssoStart;
  if (waiting) delete req.session.ssoStart;
  return waiting && waiting.providerId === providerId ? waiting : { providerId };
}
