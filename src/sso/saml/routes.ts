import express, { type Request, type Response, type Router } from 'express';
import { generateServiceProviderMetadata, SAML } from '@node-saml/node-saml';
import type { SamlProviderConfig } from '../../config/schema.js';
import { AppError } from '../../http/errors.js';
import { caseSensitiveRouter } from '../../http/router.js';
import type { Runtime } from '../../runtime.js';
import { handleSsoError, newTraceId, type SsoFailureEvent } from '../failure.js';
import { finishSso } from '../finish.js';
import { findProvider } from '../providers.js';
import { limitRequests } from '../../http/request-limit.js';
import { takeSsoStart } from '../start.js';
import { bindBrowser } from './browser-binding.js';
import { validateAcsPost } from './acs.js';
import { endSessionForIdp } from './idp-logout.js';
import { RequestCache } from './request-cache.js';
import { failureFromValidation } from './response-errors.js';
import { samlService } from './service.js';
import type { SpDescription } from './sp.js';
import { withRedirectLogout } from './sp-metadata.js';
import { REQUEST_TTL_MS, samlOptions } from './strategy.js';

const ACS_PATH = '/sso/saml/:provider/acs';

/**
 * The ACS is posted by the IdP's auto-submitting form: a SAML response with a few certificates and attributes is
 * larger than the app's general 32 kB form limit, so this path alone gets its own parser (mounted before it).
 */
export function samlAcsBodyParser(): Router {
  const router = caseSensitiveRouter();
  router.post(ACS_PATH, express.urlencoded({ extended: false, limit: '256kb', parameterLimit: 10 }));
  return router;
}

/**
 * SAML 2.0 service provider: SP metadata, SP-initiated login (HTTP-Redirect AuthnRequest) and the ACS
 * (HTTP-POST). The ACS is a cross-site POST that arrives without the session cookie, so it takes no CSRF token:
 * the IdP's signature and the single-use InResponseTo are its protection, and the SsoStart comes from the
 * server-side request store.
 */
export function ssoSamlRoutes(runtime: Runtime): Router {
  const { config } = runtime;
  const router = caseSensitiveRouter();
  const service = samlService(runtime);
  const { providers, idps, sps, store, authenticator } = service;
  if (!providers.length) return router;
  // Each login stores an outstanding request until it expires: one client cannot fill the store.
  const throttled = (req: Request) => ({
    event: 'login.failed' as const, outcome: 'failure' as const, method: 'sso' as const, req, details: { provider: String(req.params.provider), reason: 'throttled' },
  });
  const loginsPerIp = limitRequests(runtime, { keyPrefix: 'saml-login-ip', points: 1000, durationSeconds: 15 * 60, audit: throttled });

  function providerFrom(req: Request): { provider: SamlProviderConfig; sp: SpDescription } {
    const provider = findProvider(config, String(req.params.provider));
    if (!provider || provider.type !== 'saml') throw new AppError('not_found', 'no such SAML provider');
    return { provider, sp: sps.get(provider.id)! };
  }

  router.get('/sso/saml/:provider/metadata', (req, res) => {
    const { sp } = providerFrom(req);
    const xml = generateServiceProviderMetadata({
      issuer: sp.entityId,
      callbackUrl: sp.acsUrl,
      identifierFormat: null,
      wantAssertionsSigned: true,
      ...(sp.signing ? { privateKey: sp.signing.key, publicCerts: sp.signing.cert, signatureAlgorithm: 'sha256' as const, signMetadata: false } : {}),
      ...(sp.decryption ? { decryptionPvk: sp.decryption.key, decryptionCert: sp.decryption.cert ?? null } : {}),
      logoutCallbackUrl: sp.sloUrl,
    });
    res.set('Cache-Control', 'public, max-age=300').type('application/samlmetadata+xml').send(withRedirectLogout(xml));
  });

  router.get('/sso/saml/:provider/login', loginsPerIp, async (req: Request, res: Response) => {
    const { provider, sp } = providerFrom(req);
    const taken = takeSsoStart(req, provider.id);
    const traceId = newTraceId();
    const browserBinding = bindBrowser(res, runtime.config.baseUrl, REQUEST_TTL_MS);
    const start = browserBinding ? { ...taken, browserBinding } : taken;
    try {
      const idp = await idps.get(provider);
      // The start waits in the shared store under the AuthnRequest's ID until the IdP answers it.
      await authenticator.run(req, res, samlOptions(provider, idp, sp, new RequestCache(store, provider.id, REQUEST_TTL_MS, start)));
    } catch (error) {
      await handleSsoError(req, res, runtime, error, { providerId: provider.id, traceId, event: start.claimLinkId ? 'claim.sso_failed' : 'login.failed' });
    }
  });

  // Every answer costs XML parsing and signature checks before it can be refused.
  const answersPerIp = limitRequests(runtime, { keyPrefix: 'saml-acs-ip', points: 1000, durationSeconds: 15 * 60, audit: throttled });

  router.post(ACS_PATH, answersPerIp, async (req: Request, res: Response) => {
    const { provider, sp } = providerFrom(req);
    const traceId = newTraceId();
    let event: SsoFailureEvent = 'login.failed';
    try {
      const idp = await idps.get(provider);
      const accepted = await validateAcsPost({ runtime, req, res, provider, idp, sp, store, authenticator, onClaimLink: () => (event = 'claim.sso_failed') });
      await finishSso(req, res, runtime, accepted.identity, accepted.start, traceId, accepted.logout);
    } catch (error) {
      await handleSsoError(req, res, runtime, error, { providerId: provider.id, traceId, event });
    }
  });

  router.get('/sso/saml/:provider/slo', async (req: Request, res: Response) => {
    const { provider, sp } = providerFrom(req);
    const traceId = newTraceId();
    try {
      const idp = await idps.get(provider);
      const saml = new SAML(samlOptions(provider, idp, sp, new RequestCache(store, provider.id, REQUEST_TTL_MS)));
      const rawQuery = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '';
      const query = req.query as Record<string, unknown>;
      if (typeof query.SAMLResponse === 'string') {
        // The IdP's answer to our LogoutRequest: the local session already ended at POST /logout.
        await saml.validateRedirectAsync(query as Record<string, string>, rawQuery).catch((error: Error) =>
          req.log?.info({ provider: provider.id, err: { message: error.message } }, 'SAML LogoutResponse not accepted'));
        return res.redirect(303, '/login?signedOut=1');
      }
      await endSessionForIdp({ runtime, req, res, provider, saml, sp, rawQuery, query });
    } catch (error) {
      await handleSsoError(req, res, runtime, failureFromValidation(error), { providerId: provider.id, traceId, event: 'login.failed' });
    }
  });

  return router;
}
