import type { Router } from 'express';
import { caseSensitiveRouter } from '../http/router.js';
import type { IdentityTokens } from './identity-token.js';

/** The published identity-token keys. */
export function gatewayRoutes(tokens: IdentityTokens): Router {
  const router = caseSensitiveRouter();

  router.get('/.well-known/jwks.json', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json(tokens.jwks());
  });

  return router;
}
