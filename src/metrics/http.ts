import type { ServerResponse } from 'node:http';
import type { Request, RequestHandler } from 'express';
import type { Metrics } from './metrics.js';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** The route label: the pattern that matched (`/claim/:token`), never the path itself, which may hold a token. */
function routeOf(req: Request): string {
  if (req.route?.path) return `${req.baseUrl}${String(req.route.path)}`;
  if (req.path.startsWith('/_claimgate/assets/')) return '/_claimgate/assets';
  return 'unmatched';
}

export function countResponse(metrics: Metrics, res: ServerResponse, route: string, method: string | undefined): void {
  res.once('finish', () => {
    metrics.httpRequests.inc({ route, method: method && METHODS.has(method) ? method : 'OTHER', status: String(res.statusCode) });
  });
}

/** Counts every answer of claimgate's own pages once it is sent, by the route that served it. */
export function countRequests(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    res.once('finish', () => {
      metrics.httpRequests.inc({ route: routeOf(req), method: METHODS.has(req.method) ? req.method : 'OTHER', status: String(res.statusCode) });
    });
    next();
  };
}
