import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AuditEntry } from '../audit/audit.js';
import type { Runtime } from '../runtime.js';
import { AppError } from './errors.js';
import { clientKey } from './client-key.js';
import { auditOnceAt, consumeOrRefusal, createLimiter, type LimitOptions } from './rate-limits.js';

export interface RequestLimit extends LimitOptions {
  /** Who is counted: the client address by default. */
  key?(req: Request): string;
  /** The audit row written once, when the limit is first reached in a window (not for every refusal after it). */
  audit(req: Request): AuditEntry;
}

/**
 * Spends one point per request; when none is left the request gets 429 `rate_limited` with Retry-After (a page or
 * JSON), counted in the rate-limit metric under the limiter's name, audited once per window. A store that cannot
 * answer fails the request.
 */
export function limitRequests(runtime: Runtime, limit: RequestLimit): RequestHandler {
  const limiter = createLimiter(runtime, limit);
  const keyOf = limit.key ?? ((req: Request) => clientKey(req, runtime.config.rateLimits.ipv6Prefix));
  return async (req: Request, res: Response, next: NextFunction) => {
    const key = keyOf(req);
    const refusal = await consumeOrRefusal(limiter, key);
    if (!refusal) return next();
    runtime.metrics.rateLimitHits.inc({ limiter: limit.keyPrefix });
    await auditOnceAt(runtime, limiter, refusal.consumedPoints, 'exceeded', limit.audit(req));
    res.set('Retry-After', String(refusal.retryAfter));
    next(new AppError('rate_limited', `${limit.keyPrefix} limit reached for ${key}`));
  };
}
