import type { Request, Response, Router } from 'express';
import passport from 'passport';
import type { TokenEndpointResponse, TokenEndpointResponseHelpers } from 'openid-client';
import { AppError } from '../../http/errors.js';
import { limitRequests } from '../../http/request-limit.js';
import { caseSensitiveRouter } from '../../http/router.js';
import type { Runtime } from '../../runtime.js';
import { handleSsoError, newTraceId, ssoFailure } from '../failure.js';
import { finishSso } from '../finish.js';
import type { SsoIdentity } from '../identity.js';
import { useOnce } from '../once.js';
import { findProvider, type OidcProvider } from '../providers.js';
import { takeSsoStart } from '../start.js';
import { oidcClients } from './clients.js';
import { oidcFailure } from './errors.js';
import { identityFromIdToken } from './identity.js';
import { ClaimgateOidcStrategy, sessionKeyFor, type OidcAuthenticateOptions, type OidcPending } from './strategy.js';

type Tokens = TokenEndpointResponse & TokenEndpointResponseHelpers;

/** How long a browser may take at the provider before its pending request is refused. */
const PENDING_TTL_MS = 15 * 60 * 1000;

function oidcProviderFrom(runtime: Runtime, req: Request): OidcProvider {
  const provider = findProvider(runtime.config, String(req.params.provider));
  if (!provider || provider.type !== 'oidc') throw new AppError('not_found', 'no such OIDC provider');
  return provider;
}

export function ssoOidcRoutes(runtime: Runtime): Router {
  const router = caseSensitiveRouter();
  const clients = oidcClients(runtime);
  const authenticator = new passport.Passport();
  const registered = new Map<string, string>();

  /** The provider's strategy name, registered once its discovery has succeeded. */
  async function strategyFor(provider: OidcProvider): Promise<string> {
    const client = await clients.get(provider);
    let name = registered.get(provider.id);
    if (!name) {
      const strategy = new ClaimgateOidcStrategy(runtime, client);
      authenticator.use(strategy.name, strategy);
      name = strategy.name;
      registered.set(provider.id, name);
    }
    return name;
  }

  /** Runs the strategy; resolves with the token response on a callback, or when it has redirected to the provider. */
  function run(name: string, req: Request, res: Response, options: OidcAuthenticateOptions): Promise<Tokens | undefined> {
    return new Promise((resolve, reject) => {
      res.once('finish', () => resolve(undefined));
      const middleware = authenticator.authenticate(name, { session: false, ...options }, (error: unknown, user: unknown, info: { message?: string } | undefined) => {
        if (error) return reject(error);
        if (!user) return reject(ssoFailure('state_missing', info?.message ?? 'authorization response not for a pending request'));
        resolve(user as Tokens);
      });
      middleware(req, res, (error?: unknown) => (error ? reject(error) : resolve(undefined)));
    });
  }

  // Each login keeps a pending request in the session and each callback costs a token exchange: one client cannot
  // make either without bound.
  const throttled = (req: Request) => ({
    event: 'login.failed' as const, outcome: 'failure' as const, method: 'sso' as const, req, details: { provider: String(req.params.provider), reason: 'throttled' },
  });
  const loginsPerIp = limitRequests(runtime, { keyPrefix: 'oidc-login-ip', points: 1000, durationSeconds: 15 * 60, audit: throttled });
  const callbacksPerIp = limitRequests(runtime, { keyPrefix: 'oidc-callback-ip', points: 1000, durationSeconds: 15 * 60, audit: throttled });

  router.get('/sso/oidc/:provider/login', loginsPerIp, async (req, res) => {
    const provider = oidcProviderFrom(runtime, req);
    const start = takeSsoStart(req, provider.id);
    const traceId = newTraceId();
    try {
      const name = await strategyFor(provider);
      // The strategy redirects with 302; the pending state and PKCE verifier are saved with the session first.
      await run(name, req, res, { ssoStart: start, ...(start.loginHint ? { loginHint: start.loginHint } : {}) });
    } catch (error) {
      await handleSsoError(req, res, runtime, oidcFailure(error), { providerId: provider.id, traceId, event: start.claimLinkId ? 'claim.sso_failed' : 'login.failed' });
    }
  });

  router.get('/sso/oidc/:provider/callback', callbacksPerIp, async (req, res) => {
    const provider = oidcProviderFrom(runtime, req);
    const traceId = newTraceId();
    const pending: OidcPending | undefined = req.session?.oidcPending;
    const start = pending?.providerId === provider.id ? pending.start : { providerId: provider.id };
    const event = start.claimLinkId ? 'claim.sso_failed' : 'login.failed';
    if (req.session) delete req.session.oidcPending;
    let verified: { identity: SsoIdentity; idToken: string };
    try {
      const state = typeof req.query.state === 'string' ? req.query.state : '';
      if (!pending || pending.providerId !== provider.id) {
        throw ssoFailure('state_missing', 'no pending request in this browser (replayed or unsolicited callback)');
      }
      if (state !== pending.state) throw ssoFailure('state_mismatch', 'state does not match the pending request');
      if (runtime.now().getTime() - pending.createdAt > PENDING_TTL_MS) throw ssoFailure('state_expired', 'pending request too old');
      if (typeof req.query.error === 'string') {
        throw ssoFailure('provider_error', `provider answered ${req.query.error.slice(0, 64)}: ${String(req.query.error_description ?? '').slice(0, 200)}`);
      }
      if (!(await useOnce(runtime, `oidc:${provider.id}:${pending.state}`, PENDING_TTL_MS))) throw ssoFailure('callback_replayed', 'state already used');
      const name = await strategyFor(provider);
      const tokens = await run(name, req, res, {});
      if (!tokens?.id_token) throw ssoFailure('id_token_missing', 'token response without an ID token');
      const claims = tokens.claims();
      if (!claims) throw ssoFailure('id_token_missing', 'token response without ID token claims');
      verified = { identity: identityFromIdToken(provider, tokens.id_token, claims), idToken: tokens.id_token };
    } catch (error) {
      // A refused answer leaves nothing behind that a second try could reuse.
      if (req.session) delete (req.session as unknown as Record<string, unknown>)[sessionKeyFor(provider.id)];
      return handleSsoError(req, res, runtime, oidcFailure(error), { providerId: provider.id, traceId, event });
    }
    try {
      await finishSso(req, res, runtime, verified.identity, start, traceId, { idToken: verified.idToken });
    } catch (error) {
      await handleSsoError(req, res, runtime, error, { providerId: provider.id, traceId, event });
    }
  });

  return router;
}
