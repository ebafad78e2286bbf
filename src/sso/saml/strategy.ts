import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { ValidateInResponseTo, type Profile, type SamlConfig } from '@node-saml/node-saml';
import { MultiSamlStrategy } from '@node-saml/passport-saml';
import passport from 'passport';
import type { SamlProviderConfig } from '../../config/schema.js';
import type { IdpDescription } from './idp-metadata.js';
import type { RequestCache } from './request-cache.js';
import type { SpDescription } from './sp.js';

/** How long an AuthnRequest may wait for its answer. */
export const REQUEST_TTL_MS = 15 * 60 * 1000;

/**
 * node-saml options for one provider and one HTTP request. Every safety switch is set here explicitly, never
 * left to a default: both signatures required, InResponseTo always, the audience, SHA-256 for what we sign.
 */
export function samlOptions(provider: SamlProviderConfig, idp: IdpDescription, sp: SpDescription, cache: RequestCache): SamlConfig {
  return {
    issuer: sp.entityId,
    callbackUrl: sp.acsUrl,
    audience: sp.entityId,
    entryPoint: idp.ssoUrl,
    idpCert: idp.signingCerts,
    idpIssuer: idp.entityId,
    wantAuthnResponseSigned: true,
    wantAssertionsSigned: true,
    validateInResponseTo: ValidateInResponseTo.always,
    cacheProvider: cache,
    requestIdExpirationPeriodMs: REQUEST_TTL_MS,
    acceptedClockSkewMs: provider.clockSkew,
    identifierFormat: null,
    disableRequestedAuthnContext: true,
    signatureAlgorithm: 'sha256',
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
    generateUniqueId: () => `_${randomBytes(20).toString('hex')}`,
    ...(sp.signing ? { privateKey: sp.signing.key, publicCert: sp.signing.cert } : {}),
    ...(sp.decryption ? { decryptionPvk: sp.decryption.key } : {}),
    ...(idp.sloUrl ? { logoutUrl: idp.sloUrl, logoutCallbackUrl: sp.sloUrl } : {}),
  };
}

/**
 * passport-saml, driven per request: the options (and with them the request-bound InResponseTo cache) are chosen
 * by the route before the strategy runs.
 */
export class SamlAuthenticator {
  private readonly passport = new passport.Passport();
  private readonly options = new WeakMap<Request, SamlConfig>();

  constructor() {
    type Done = (error: Error | null, user?: Record<string, unknown>) => void;
    const verify = (_req: unknown, profile: Profile | null, done: Done) => done(null, profile ?? undefined);
    // passport-saml ships its own (older) Express types: the request crosses that boundary untyped.
    const strategy = new MultiSamlStrategy(
      {
        name: 'claimgate-saml',
        passReqToCallback: true,
        getSamlOptions: (req, done) => {
          const options = this.options.get(req as unknown as Request);
          return options ? done(null, options) : done(new Error('no SAML options for this request'));
        },
      },
      verify,
      verify,
    );
    this.passport.use(strategy as unknown as passport.Strategy);
  }

  /**
   * Runs the strategy: resolves with the verified profile for a posted response, or with null once it has
   * redirected the browser to the IdP.
   */
  run(req: Request, res: Response, options: SamlConfig): Promise<Profile | null> {
    this.options.set(req, options);
    return new Promise((resolve, reject) => {
      res.once('finish', () => resolve(null));
      const middleware = this.passport.authenticate('claimgate-saml', { session: false }, (error: unknown, user: unknown, info: unknown) => {
        if (error) return reject(error);
        if (!user) return reject(new Error(`no profile in the SAML answer (${JSON.stringify(info ?? null).slice(0, 100)})`));
        resolve(user as Profile);
      });
      middleware(req, res, (error?: unknown) => (error ? reject(error) : resolve(null)));
    });
  }
}
