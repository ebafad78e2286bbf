import * as client from 'openid-client';
import { Strategy, type AuthenticateOptions } from 'openid-client/passport';
import type { Request } from 'express';
import type { Runtime } from '../../runtime.js';
import type { SsoStart } from '../start.js';
import type { OidcClient } from './clients.js';

/** What the login route keeps in the session until the callback: the SsoStart, with the state it belongs to. */
export interface OidcPending {
  providerId: string;
  state: string;
  start: SsoStart;
  createdAt: number;
}

declare module 'express-session' {
  interface SessionData {
    oidcPending: OidcPending;
  }
}

export interface OidcAuthenticateOptions extends AuthenticateOptions {
  ssoStart?: SsoStart;
}

export function sessionKeyFor(providerId: string): string {
  return `oidc:${providerId}`;
}

/**
 * openid-client's passport strategy, with state and nonce on every request (it would add only PKCE when the
 * provider supports it), and the request URL built from baseUrl, never from the Host header.
 */
export class ClaimgateOidcStrategy extends Strategy {
  constructor(
    private readonly runtime: Runtime,
    private readonly oidc: OidcClient,
  ) {
    super(
      {
        config: oidc.configuration,
        name: sessionKeyFor(oidc.provider.id),
        sessionKey: sessionKeyFor(oidc.provider.id),
        callbackURL: oidc.redirectUri,
        scope: oidc.provider.scopes.join(' '),
      },
      (tokens, verified) => verified(null, tokens as unknown as Express.User),
    );
  }

  override authorizationRequestParams<T extends AuthenticateOptions>(req: Request, options: T): URLSearchParams {
    const params = new URLSearchParams(super.authorizationRequestParams(req, options) ?? undefined);
    const state = client.randomState();
    params.set('state', state);
    params.set('nonce', client.randomNonce());
    const start = (options as OidcAuthenticateOptions).ssoStart ?? { providerId: this.oidc.provider.id };
    req.session.oidcPending = { providerId: this.oidc.provider.id, state, start, createdAt: this.runtime.now().getTime() };
    return params;
  }

  override currentUrl(req: Request): URL {
    return new URL(req.originalUrl ?? req.url, `${this.runtime.config.baseUrl}/`);
  }
}
