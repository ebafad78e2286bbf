import session from 'express-session';
import type { ShortLivedStore } from '../store/short-lived-store.js';
import { restoreGeneratedMark, takeGeneratedMark } from './new-sessions.js';

type Callback = (error?: unknown) => void;

/**
 * A signed-in session from before sessions were indexed per member (it has no `createdAt`): indexed now, at its next
 * write, so that ending all of the member's sessions finds it from then on. True when `data` was changed.
 */
export async function adoptUnindexed(store: ShortLivedStore, sid: string, data: Partial<session.SessionData>, ttlMs: number): Promise<boolean> {
  if (!data.memberId || data.createdAt !== undefined) return false;
  await store.addToSet('memberSessions', data.memberId, sid, ttlMs);
  data.createdAt = data.authenticatedAt ?? data.lastSeenAt ?? 0;
  return true;
}

/**
 * express-session on the short-lived store (Redis when configured, else the database): every replica sees the same
 * sessions, and a destroyed one is gone for all of them and stays gone. It has no touch: idle time lives in the
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

  /**
   * A session generated in this request is created (its id is fresh and random, so it is absent); any other is
   * written only while it is still in the store. A request that was in flight when its session was destroyed
   * (sign-out, timeout, an admin's action) therefore ends without bringing it back.
   */
  override set(sid: string, data: session.SessionData, callback?: Callback): void {
    this.write(sid, data).then(() => callback?.()).catch((error: unknown) => callback?.(error));
  }

  private async write(sid: string, data: session.SessionData): Promise<void> {
    const ttlMs = this.ttl(data);
    if (ttlMs <= 0) return this.store.delete('sessions', sid);
    const value = JSON.stringify(data);
    if (!takeGeneratedMark(data)) {
      if (await adoptUnindexed(this.store, sid, data, this.ttlMs)) {
        await this.store.touchIfPresent('sessions', sid, JSON.stringify(data));
        return;
      }
      await this.store.touchIfPresent('sessions', sid, value);
      return;
    }
    let created: boolean;
    try {
      // Indexed before it exists, so that ending all of a member's sessions never misses one; an entry whose
      // session was never written is dropped when the index is next read.
      if (data.memberId) await this.store.addToSet('memberSessions', data.memberId, sid, ttlMs);
      created = await this.store.setIfAbsent('sessions', sid, value, ttlMs);
    } catch (error) {
      restoreGeneratedMark(data);
      throw error;
    }
    if (!created) throw new Error('a newly generated session id is already in the store');
  }

  override destroy(sid: string, callback?: Callback): void {
    this.remove(sid)
      .then(() => callback?.())
      .catch((error: unknown) => callback?.(error));
  }

  private async remove(sid: string): Promise<void> {
    const raw = await this.store.take('sessions', sid);
    const memberId = raw ? (JSON.parse(raw) as Partial<session.SessionData>).memberId : undefined;
    if (memberId) await this.store.removeFromSet('memberSessions', memberId, [sid]);
  }
}
