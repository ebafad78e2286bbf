import type { NextFunction, Request, Response } from 'express';
import type { Permission } from '../config/schema.js';
import type { ServiceTokenRow } from '../db/integration-rows.js';
import { csrfProtection } from '../http/csrf.js';
import { AppError } from '../http/errors.js';
import { clientKey } from '../http/client-key.js';
import { auditOnceAt, consumeOrRefusal, createLimiter } from '../http/rate-limits.js';
import { requireMember } from '../http/require-member.js';
import type { Runtime } from '../runtime.js';
import { sessionCookieName } from '../session/session.js';
import { findLiveToken, TOKEN_PREFIX, tokenActor } from '../tokens/tokens.js';
import { withImplied } from './permissions.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** Set when the admin API is called with a service token instead of a session. */
    serviceToken?: ServiceTokenRow;
  }
}

/** Refused bearer tokens audited one by one per client address in 15 minutes; past that, 429 and one more row. */
const TOKEN_REFUSALS_AUDITED = 20;

const API_CHALLENGE = 'Bearer realm="claimgate admin API"';

export function tokenPermissions(token: ServiceTokenRow): Set<Permission> {
  return withImplied(new Set(JSON.parse(token.permissions) as Permission[]));
}

/** Who did it, for audit rows: the member's id, or `token:<name>`. */
export function actorOf(req: Request): string {
  return req.serviceToken ? tokenActor(req.serviceToken) : req.member!.id;
}

/** Whether the request names a claimgate service token (also on paths where tokens are refused). */
export function carriesServiceToken(authorization: string | undefined): boolean {
  return typeof authorization === 'string' && /^bearer\s+/i.test(authorization) && authorization.replace(/^bearer\s+/i, '').startsWith(TOKEN_PREFIX);
}

function hasSessionCookie(req: Request, cookieName: string): boolean {
  return (req.get('cookie') ?? '').split(';').some((part) => part.trim().startsWith(`${cookieName}=`));
}

/**
 * The admin API's caller: a service token (`Authorization: Bearer cgt_…`) read from the database on every request, so
 * a revoked token is refused at once on every replica; otherwise the signed-in member, as for the pages. A request with
 * both is refused: it is either a confused client or an attempt to borrow the cookie's authority under a token's name.
 */
export function apiCaller(runtime: Runtime) {
  const member = requireMember(runtime);
  const cookieName = sessionCookieName(runtime.config.baseUrl.startsWith('https://'));
  const refusals = createLimiter(runtime, { keyPrefix: 'api-token-refused', points: TOKEN_REFUSALS_AUDITED, durationSeconds: 15 * 60 });
  return async (req: Request, res: Response, next: NextFunction) => {
    const header = req.get('authorization');
    if (header === undefined) return member(req, res, (error?: unknown) => {
      // RFC 9110: a 401 names the scheme that would do, with or without credentials sent.
      if (error instanceof AppError && error.status === 401) res.set('WWW-Authenticate', API_CHALLENGE);
      next(error);
    });
    if (hasSessionCookie(req, cookieName)) return next(new AppError('token_with_session', 'bearer token and session cookie on one request'));
    // The scheme is case-insensitive (RFC 9110 §11.1): `bearer` and `BEARER` are the same as `Bearer`.
    const bearer = /^bearer +([A-Za-z0-9_-]{1,200})$/i.exec(header)?.[1];
    const token = bearer ? await findLiveToken(runtime, bearer) : null;
    if (token) {
      req.serviceToken = token;
      return next();
    }
    res.set('WWW-Authenticate', API_CHALLENGE);
    const details = { reason: bearer ? 'unknown, expired or revoked' : 'malformed', path: req.originalUrl.split('?')[0]!.slice(0, 200), httpMethod: req.method };
    const key = clientKey(req, runtime.config.rateLimits.ipv6Prefix);
    const refusal = await consumeOrRefusal(refusals, key);
    if (refusal) {
      await auditOnceAt(runtime, refusals, refusal.consumedPoints, 'exceeded', { event: 'token.refused', outcome: 'failure', req, details: { ...details, reason: 'throttled' } });
      runtime.metrics.rateLimitHits.inc({ limiter: 'api-token-refused' });
      res.set('Retry-After', String(refusal.retryAfter));
      return next(new AppError('rate_limited', `${key} keeps sending bad bearer tokens`));
    }
    await runtime.audit({ event: 'token.refused', outcome: 'failure', req, details });
    next(new AppError('token_invalid', 'bearer token refused'));
  };
}

/** CSRF protects cookie sessions; a bearer token is not sent by a browser on its own, so it needs none. */
export function csrfUnlessToken(req: Request, res: Response, next: NextFunction) {
  if (req.serviceToken) return next();
  return csrfProtection(req, res, (error?: unknown) => {
    // A script, not a form: tell it where the token comes from.
    if ((error as { code?: string } | undefined)?.code === 'EBADCSRFTOKEN') {
      return next(new AppError('csrf_invalid', 'csrf token missing or wrong', 'Send the CSRF token from GET /admin/api/session in the x-csrf-token header, or use a service token.', 'errors.csrf_invalid.api'));
    }
    next(error);
  });
}

/** Who owns an import or export a request starts: the signed-in admin or the service token, and its audit actor. */
export interface Owner {
  adminId: string | null;
  tokenId: string | null;
  actorId: string;
}

export function ownerOf(req: Request): Owner {
  return req.serviceToken
    ? { adminId: null, tokenId: req.serviceToken.id, actorId: tokenActor(req.serviceToken) }
    : { adminId: req.member!.id, tokenId: null, actorId: req.member!.id };
}
