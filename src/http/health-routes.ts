import type { Router } from 'express';
import type { Runtime } from '../runtime.js';
import { caseSensitiveRouter } from './router.js';

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Liveness says the process answers; readiness says the database and the session store answer too. */
export function healthRoutes(runtime: Runtime): Router {
  const router = caseSensitiveRouter();
  router.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });
  // Browsers ask for it on every site; the real icon is linked from each page.
  router.get('/favicon.ico', (_req, res) => {
    res.redirect(301, '/_claimgate/assets/favicon.svg');
  });
  router.get('/readyz', async (_req, res) => {
    const checks: Record<string, 'ok' | 'failing'> = {};
    try {
      await withTimeout(runtime.db.source.query('SELECT 1'), 2000);
      checks.database = 'ok';
    } catch {
      checks.database = 'failing';
    }
    if (runtime.redis) {
      try {
        await withTimeout(runtime.redis.ping(), 2000);
        checks.sessionStore = 'ok';
      } catch {
        checks.sessionStore = 'failing';
      }
    } else {
      checks.sessionStore = checks.database;
    }
    const ready = Object.values(checks).every((value) => value === 'ok');
    res.status(ready ? 200 : 503).set('Cache-Control', 'no-store').json({ status: ready ? 'ready' : 'unavailable', checks });
  });
  return router;
}
