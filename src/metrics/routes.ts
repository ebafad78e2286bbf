import { createHash, timingSafeEqual } from 'node:crypto';
import type { Router } from 'express';
import { caseSensitiveRouter } from '../http/router.js';
import type { Runtime } from '../runtime.js';

function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * GET /metrics in the Prometheus text format. Off unless `metrics.enabled`, and then only for a scraper that sends
 * `Authorization: Bearer <metrics.token>`: the route must never be readable from the internet by default.
 */
export function metricsRoutes(runtime: Runtime): Router {
  const router = caseSensitiveRouter();
  const { enabled, token } = runtime.config.metrics;
  if (!enabled || !token) return router;
  router.get('/metrics', async (req, res) => {
    const header = req.get('authorization') ?? '';
    const given = /^bearer +(.+)$/i.exec(header)?.[1];
    if (!given || !sameSecret(given, token)) {
      res.status(401).set({ 'WWW-Authenticate': 'Bearer realm="metrics"', 'Cache-Control': 'no-store' }).type('text').send('metrics need a bearer token\n');
      return;
    }
    res.set('Cache-Control', 'no-store').type(runtime.metrics.registry.contentType).send(await runtime.metrics.scrape());
  });
  return router;
}
