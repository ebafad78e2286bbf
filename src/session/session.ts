import type { NextFunction, Request, RequestHandler, Response } from 'express';
import session, { type SessionData } from 'express-session';
import type { Runtime } from '../runtime.js';
import './session-data.js';
import { sessionVerdict } from './session-clock.js';
import { markGeneratedSessions } from './new-sessions.js';
import { StoreSessionStore } from './store-session-store.js';

export function sessionCookieName(secure: boolean): string {
  // The __Host- prefix pins the cookie to this host and path /, and requires Secure.
  return secure ? '__Host-claimgate' : 'claimgate.sid';
}

/**
 * Sessions live on the short-lived store in every mode (Redis, PostgreSQL or the embedded database), whose
 * conditional writes keep a destroyed session destroyed. No touch: idle time is tracked in the session itself
 * (lastSeenAt), so a steady request costs one read and no write.
 */
export function createSessionStore(runtime: Runtime): session.Store {
  return new StoreSessionStore(runtime.store, runtime.config.session.absoluteTimeout);
}

export function sessionMiddleware(runtime: Runtime, store: session.Store): RequestHandler {
  const secure = runtime.config.baseUrl.startsWith('https://');
  const middleware = session({
    name: sessionCookieName(secure),
    secret: runtime.keys.session,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    unset: 'destroy',
    cookie: { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: runtime.config.session.absoluteTimeout },
  });
  markGeneratedSessions(store);
  return middleware;
}

/**
 * Enforces the idle and absolute timeouts on signed-in sessions. An expired session is destroyed in the store,
 * not just forgotten by the browser.
 */
export function sessionTimeouts(runtime: Runtime): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    const s = req.session;
    if (!s?.memberId) return next();
    const now = runtime.now().getTime();
    const verdict = sessionVerdict(s, now, runtime.config.session);
    if (verdict === 'idle_timeout' || verdict === 'absolute_timeout') {
      const memberId = s.memberId;
      s.regenerate((error) => {
        if (error) return next(error);
        void runtime.audit({ event: 'session.ended', memberId, actorId: memberId, req, details: { reason: verdict } }).then(() => next(), next);
      });
      return;
    }
    if (verdict === 'refresh') s.lastSeenAt = now;
    next();
  };
}

/**
 * Writes the session now. Needed before a redirect: express-session sends the headers of a response before its own
 * save has finished, and a browser follows a 303 as soon as it has them, so the next request could find no session.
 */
export function saveSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.save((error) => (error ? reject(error) : resolve())));
}

export function regenerateSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate((error) => (error ? reject(error) : resolve())));
}

/**
 * Starts a signed-in session under a fresh id, so an id fixed before sign-in is worthless afterwards. `extra` (how an
 * SSO session began, for single logout; when a member who re-accepted terms first signed in) is saved with it in the
 * same write.
 */
export async function signIn(req: Request, memberId: string, at: Date, extra: Partial<Pick<SessionData, 'sso' | 'authenticatedAt'>> = {}): Promise<void> {
  await regenerateSession(req);
  const now = at.getTime();
  const device = { createdAt: now, address: req.ip ?? '', userAgent: (req.get('user-agent') ?? '').slice(0, 512) };
  Object.assign(req.session, { memberId, authenticatedAt: now, lastSeenAt: now, ...device }, extra);
  await saveSession(req);
}

export function destroySession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.destroy((error) => (error ? reject(error) : resolve())));
}

/** Ends the session in its store and tells the browser to drop the cookie (sign-out, the IdP's logout). */
export async function endSession(req: Request, res: Response, secure: boolean): Promise<void> {
  await destroySession(req);
  res.clearCookie(sessionCookieName(secure), { path: '/', httpOnly: true, sameSite: 'lax', secure });
}
