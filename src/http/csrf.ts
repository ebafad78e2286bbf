import type { Request } from 'express';
import { csrfSync } from 'csrf-sync';

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
