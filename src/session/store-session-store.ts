import session from 'express-session';
import type { ShortLivedStore } from '../store/short-lived-store.js';

type Callback = (error?: unknown) => void;

/**
 * express-session on the short-lived store, for the deployments without Redis: every replica sharing the database
 * sees the same sessions, and a destroyed one is gone for all of them. It has no touch: idle time lives in the
 * session (lastSeenAt), so a steady request reads one entry and writes nothing.
 */
export class StoreSessionStore extends session.Store {
  constructor(
    private readonly store: ShortLivedStore,
    private readonly ttlMs: number,
  ) {
    super();
  }

  /**
   * Until the cookie expires, and never longer than the absolute timeout. The cookie's remaining life (maxAge) is
   * relative, so it holds whatever the runtime's clock says; the store dates the entry by that clock.
   */
  private ttl(data: session.SessionData): number {
    const cookieLeft = data.cookie?.maxAge;
    return typeof cookieLeft === 'number' ? Math.min(cookieLeft, this.ttlMs) : this.ttlMs;
  }

  override get(sid: string, callback: (error: unknown, session?: session.SessionData | null) => void): void {
    this.store
      .get('sessions', sid)
      .then((value) => callback(null, value ? (JSON.parse(value) as session.SessionData) : null))
      .catch(callback);
  }

  override set(sid: string, data: session.SessionData, callback?: Callback): void {
    const ttlMs = this.ttl(data);
    const write = ttlMs > 0 ? this.store.set('sessions', sid, JSON.stringify(data), ttlMs) : this.store.delete('sessions', sid);
    write.then(() => callback?.()).catch((error: unknown) => callback?.(error));
  }

  override destroy(sid: string, callback?: Callback): void {
    this.store
      .delete('sessions', sid)
      .then(() => callback?.())
      .catch((error: unknown) => callback?.(error));
  }
}
