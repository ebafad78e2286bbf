import type { NextFunction, Request, Response } from 'express';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Permission } from '../config/schema.js';
import { AppError } from '../http/errors.js';
import { auditOnceAt, consumeOrRefusal, createLimiter } from '../http/rate-limits.js';
import type { Runtime } from '../runtime.js';
import { actorOf } from './api-caller.js';
import { callerPermissions } from './caller-permissions.js';

/** Refusals audited one by one per member in 15 minutes. */
export const DENIALS_AUDITED = 100;

declare module 'express-serve-static-core' {
  interface Request {
    permissions?: Set<Permission>;
  }
}

/**
 * Each refusal writes to the append-only audit table: past DENIALS_AUDITED in a window a member is answered 429 and
 * audited once more, so probing cannot grow the table without bound. One counter for every admin route.
 */
export function denialCounter(runtime: Runtime): RateLimiterAbstract {
  return createLimiter(runtime, { keyPrefix: 'admin-denied', points: DENIALS_AUDITED, durationSeconds: 15 * 60 });
}

/**
 * Runs after requireMember: lets through a member whose admin entry grants `permission`. Anyone else gets 403, and
 * every refusal is audited so probing the admin surface leaves a trail.
 */
export function requirePermission(runtime: Runtime, permission: Permission, denials: RateLimiterAbstract) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const token = req.serviceToken;
    const permissions = callerPermissions(runtime, req)!;
    if (permissions.has(permission)) {
      req.permissions = permissions;
      return next();
    }
    const actorId = actorOf(req);
    const memberId = token ? null : req.member!.id;
    const details = { permission, httpMethod: req.method, path: req.originalUrl.split('?')[0]!.slice(0, 200) };
    const refusal = await consumeOrRefusal(denials, actorId);
    if (refusal) {
      await auditOnceAt(runtime, denials, refusal.consumedPoints, 'exceeded', { event: 'admin.access_denied', outcome: 'failure', actorId, memberId, req, details: { ...details, reason: 'throttled' } });
      runtime.metrics.rateLimitHits.inc({ limiter: 'admin-denied' });
      res.set('Retry-After', String(refusal.retryAfter));
      return next(new AppError('rate_limited', `${actorId} keeps probing the admin area`));
    }
    await runtime.audit({ event: 'admin.access_denied', outcome: 'failure', actorId, memberId, req, details });
    if (token) return next(new AppError('forbidden', `${actorId} lacks ${permission}`, `This service token lacks ${permission}.`));
    // Said in an employee's terms: what the page is and whom to ask, never configuration keys.
    const readOnly = permission === 'accounts:manage' && permissions.size > 0;
    next(new AppError('forbidden', `${actorId} lacks ${permission}`,
      readOnly ? 'Your administrator role lets you see people, not change them.' : 'This page is for administrators.',
      readOnly ? 'errors.forbidden_readonly.message' : 'errors.forbidden_admin.message'));
  };
}
