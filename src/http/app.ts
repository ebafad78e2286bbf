import { adminRoutes } from '../admin/routes.js';
import { carriesServiceToken } from '../admin/api-caller.js';
import { requestIdFor } from './request-id.js';
import type { IncomingMessage, RequestListener } from 'node:http';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';
import type session from 'express-session';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { accountRoutes } from '../auth/account-routes.js';
import { homeRoutes } from '../auth/home-routes.js';
import { loginRoutes } from '../auth/login-routes.js';
import { codeRoutes } from '../claim/code-routes.js';
import { recoveryRoutes } from '../recovery/routes.js';
import { claimRoutes } from '../claim/routes.js';
import { ssoFormTargets } from '../sso/form-targets.js';
import { ssoOidcRoutes } from '../sso/oidc/routes.js';
import { samlAcsBodyParser, ssoSamlRoutes } from '../sso/saml/routes.js';
import { IdentityTokens } from '../gateway/identity-token.js';
import { forwardAuth } from '../gateway/forward-auth.js';
import { createGateway } from '../gateway/proxy.js';
import { gatewayRoutes } from '../gateway/routes.js';
import { termsRoutes } from '../claim/terms-routes.js';
import { redactUrl, serializeError } from '../logging/logger.js';
import { countRequests, countResponse } from '../metrics/http.js';
import { metricsRoutes } from '../metrics/routes.js';
import type { Runtime } from '../runtime.js';
import { SessionReader } from '../session/session-reader.js';
import { createSessionStore, sessionMiddleware, sessionTimeouts } from '../session/session.js';
import { errorHandler } from './error-handler.js';
import { AppError } from './errors.js';
import { healthRoutes } from './health-routes.js';
import { normaliseRequestTarget } from './request-target.js';
import { sendPlainError } from '../gateway/plain-error.js';
import { scimRoutes } from '../scim/routes.js';
import { brandingRoutes } from '../branding/routes.js';
import { languageRoutes } from '../i18n/language-routes.js';
import { requestLocale } from '../i18n/request-locale.js';

const PUBLIC_DIR = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../../public' : '../../public', import.meta.url));

/** The paths claimgate answers itself; with an upstream, every other path belongs to it. */
const OWN_PREFIXES = ['/login', '/logout', '/claim', '/_claimgate', '/auth/verify', '/.well-known/jwks.json', '/healthz', '/readyz', '/favicon.ico', '/sso', '/admin', '/scim'];

/**
 * Decided on the path the upstream would be sent (see normaliseRequestTarget), and also on its form with repeated
 * slashes merged, since many servers read `//admin` as `/admin`: such a path stays with claimgate.
 */
export function isOwnPath(path: string, hasUpstream: boolean, metricsOn = false): boolean {
  const merged = path.includes('//') ? path.replace(/\/{2,}/g, '/') : path;
  if (merged === '/' && !hasUpstream) return true;
  if (metricsOn && merged === '/metrics') return true;
  return OWN_PREFIXES.some((prefix) => merged === prefix || merged.startsWith(`${prefix}/`));
}

export interface AppHandle {
  /** The request listener for the HTTP server: proxied traffic and forward-auth first, everything else to `app`. */
  handler: RequestListener;
  app: Express;
  sessionStore: session.Store;
  /** Attach to the HTTP server's 'upgrade' event: WebSocket connections to the upstream. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** For a drain: closes the open WebSocket tunnels (they would hold it until the grace period) and refuses new ones. */
  endTunnels(): number;
  /** Stops the gateway's watchers and closes its upstream connections (settles once they are closed). */
  close(): Promise<void>;
}

/** The HTTP pipeline, top to bottom. */
export function createApp(runtime: Runtime): AppHandle {
  const { config } = runtime;
  const hasUpstream = Boolean(config.upstream.url);
  const metricsOn = config.metrics.enabled;
  const app = express();
  const sessionStore = createSessionStore(runtime);
  const tokens = new IdentityTokens(runtime);
  const reader = new SessionReader(runtime, sessionStore);
  const gateway = createGateway(runtime, tokens, reader);
  const verify = forwardAuth(runtime, reader, tokens);
  const sessions = sessionMiddleware(runtime, sessionStore);
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('case sensitive routing', true);
  const timeouts = sessionTimeouts(runtime);

  app.use(
    pinoHttp({
      logger: runtime.logger,
      genReqId: requestIdFor,
      // Only what is safe: no headers (cookies), and claim tokens cut out of the URL.
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: redactUrl(req.url) }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        err: serializeError,
      },
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
    }),
  );
  // Only claimgate's own paths reach this application (the handler below sends the rest to the upstream).
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'none'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          // Forms that send the browser on to an identity provider (claim start, sign-in, sign-out) need its origin.
          formAction: ["'self'", () => ssoFormTargets(runtime).join(' ')],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
          objectSrc: ["'none'"],
        },
      },
      referrerPolicy: { policy: 'no-referrer' },
      strictTransportSecurity: config.baseUrl.startsWith('https://'),
    }),
  );
  app.use(countRequests(runtime.metrics));
  app.use(healthRoutes(runtime));
  app.use(metricsRoutes(runtime));
  app.use('/_claimgate/assets', express.static(PUBLIC_DIR, { maxAge: '1h', index: false }));
  // SCIM authenticates by bearer token and parses its own (larger) bodies: before the session and the body parsers.
  app.use(scimRoutes(runtime));
  app.use(samlAcsBodyParser());
  app.use(express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 50 }), express.json({ limit: '32kb' }));
  app.use(sessions);
  app.use(timeouts);
  app.use(requestLocale(runtime));
  app.use(languageRoutes(runtime));
  app.use(brandingRoutes(runtime));

  app.use(gatewayRoutes(tokens));
  app.use(termsRoutes(runtime));
  app.use(loginRoutes(runtime));
  app.use(codeRoutes(runtime));
  app.use(recoveryRoutes(runtime));
  app.use(ssoOidcRoutes(runtime));
  app.use(ssoSamlRoutes(runtime));
  app.use(claimRoutes(runtime));
  app.use(homeRoutes(runtime));
  app.use(accountRoutes(runtime));
  app.use(adminRoutes(runtime));

  app.use((req, _res, next) => next(new AppError('not_found', `no route for ${req.method} ${redactUrl(req.path)}`)));
  app.use(errorHandler(runtime));

  return {
    // Proxied traffic and forward-auth take the shortest path: one session read, the decision, the proxy.
    handler: (req, res) => {
      const path = normaliseRequestTarget(req);
      if (path === undefined) return void sendPlainError(runtime, req, res, new AppError('bad_request', 'request target does not parse'));
      // A service token works on the admin API only: never forwarded to the upstream, never a key to member pages.
      if (carriesServiceToken(req.headers.authorization) && !path.startsWith('/admin/api/')) {
        return void sendPlainError(runtime, req, res, new AppError('token_not_allowed', `service token sent to ${redactUrl(path)}`));
      }
      if (path === '/auth/verify' && (req.method === 'GET' || req.method === 'HEAD')) {
        countResponse(runtime.metrics, res, '/auth/verify', req.method);
        return void verify(req, res);
      }
      if (gateway && !isOwnPath(path, hasUpstream, metricsOn)) {
        countResponse(runtime.metrics, res, 'gateway', req.method);
        return void gateway.web(req, res);
      }
      app(req, res);
    },
    app,
    sessionStore,
    upgrade(req, socket, head) {
      // claimgate serves no WebSocket itself: an upgrade to one of its paths, in any spelling, goes nowhere.
      const path = normaliseRequestTarget(req);
      if (!gateway || path === undefined || isOwnPath(path, hasUpstream, metricsOn)) {
        socket.on('error', () => undefined);
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      void gateway.upgrade(req, socket, head);
    },
    endTunnels: () => gateway?.endTunnels() ?? 0,
    close: async () => gateway?.close(),
  };
}
