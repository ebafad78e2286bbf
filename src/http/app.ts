import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type session from 'express-session';
import { homeRoutes } from '../auth/home-routes.js';
import { loginRoutes } from '../auth/login-routes.js';
import { codeRoutes } from '../claim/code-routes.js';
import { claimRoutes } from '../claim/routes.js';
import { redactUrl } from '../logging/logger.js';
import type { Runtime } from '../runtime.js';
import { createSessionStore, sessionCookieName, sessionMiddleware, sessionTimeouts } from '../session/session.js';
import { errorHandler } from './error-handler.js';
import { AppError } from './errors.js';
import { healthRoutes } from './health-routes.js';

const PUBLIC_DIR = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../../public' : '../../public', import.meta.url));

export interface AppHandle {
  app: Express;
  sessionStore: session.Store;
}

/** The HTTP pipeline, top to bottom. */
export function createApp(runtime: Runtime): AppHandle {
  const { config } = runtime;
  const app = express();
  const sessionStore = createSessionStore(runtime);
  app.disable('x-powered-by');
  // Paths are matched exactly as written, so a path the log redaction knows is the path the router serves.
  app.set('case sensitive routing', true);
  app.set('trust proxy', config.trustProxy);
  app.set('session cookie name', sessionCookieName(config.baseUrl.startsWith('https://')));

  app.use(
    pinoHttp({
      logger: runtime.logger,
      genReqId: (req) => {
        const given = req.headers['x-request-id'];
        return typeof given === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(given) ? given : randomUUID();
      },
      // Only what is safe: no headers (cookies), and claim tokens cut out of the URL.
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: redactUrl(req.url) }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
    }),
  );
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'none'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
          objectSrc: ["'none'"],
        },
      },
      referrerPolicy: { policy: 'no-referrer' },
      strictTransportSecurity: config.baseUrl.startsWith('https://'),
    }),
  );
  app.use(healthRoutes(runtime));
  app.use('/assets', express.static(PUBLIC_DIR, { maxAge: '1h', index: false }));
  app.use(express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 50 }));
  app.use(express.json({ limit: '32kb' }));
  app.use(sessionMiddleware(runtime, sessionStore));
  app.use(sessionTimeouts(runtime));

  app.use(loginRoutes(runtime));
  app.use(codeRoutes(runtime));
  app.use(claimRoutes(runtime));
  app.use(homeRoutes(runtime));

  app.use((req, _res, next) => next(new AppError('not_found', `no route for ${req.method} ${redactUrl(req.path)}`)));
  app.use(errorHandler(runtime));
  return { app, sessionStore };
}
