import type { NextFunction, Request, Response } from 'express';
import { csrfSync } from 'csrf-sync';
import { AppError } from './errors.js';

/**
 * Synchroniser-token CSRF protection: the token lives in the server-side session and every state-changing form
 * carries it in `_csrf` (or the `x-csrf-token` header for scripts).
 */
export const csrf = csrfSync({
  getTokenFromRequest: (req: Request) => {
    const fromBody = (req.body as Record<string, unknown> | undefined)?._csrf;
    if (typeof fromBody === 'string') return fromBody;
    const fromHeader = req.get('x-csrf-token');
    return fromHeader ?? undefined;
  },
});

export const csrfProtection = csrf.csrfSynchronisedProtection;

/**
 * What can be refused before a multipart body is read (multer buffers it, and a request held open meanwhile is a
 * tool for races): a session that was never given a token (no form of ours was shown to it, so no body can carry a
 * valid one), and a token sent in the header that is wrong. The full check runs again once the body is parsed.
 */
export function csrfBeforeBody(req: Request, _res: Response, next: NextFunction): void {
  const issued = (req.session as { csrfToken?: unknown } | undefined)?.csrfToken;
  if (typeof issued !== 'string' || !issued) return next(new AppError('csrf_invalid', 'multipart body refused unread: the session has no csrf token'));
  if (req.get('x-csrf-token') !== undefined && !csrf.isRequestValid(req)) return next(new AppError('csrf_invalid', 'multipart body refused unread: wrong csrf header'));
  next();
}
