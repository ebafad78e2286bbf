import type { IncomingMessage } from 'node:http';
import { parse } from 'cookie';
import signature from 'cookie-signature';
import { LRUCache } from 'lru-cache';
import type session from 'express-session';
import type { Runtime } from '../runtime.js';
import { sessionVerdict } from './session-clock.js';
import { sessionCookieName } from './session.js';
import { adoptUnindexed } from './store-session-store.js';

export interface ReadSession {
  sid: string;
  data: session.SessionData;
}

/**
 * Reads the signed-in session of a request without the express-session machinery: one store read, and a write
 * only when the idle clock needs moving (at most once a minute). It reads the cookie express-session wrote,
 * signed the same way, and enforces the same idle and absolute timeouts. Used for proxied traffic and upgrades.
 */
export class SessionReader {
  private readonly cookieName: string;
  /** Verified cookie values, so a steady stream from one browser checks its signature once. */
  private readonly verified = new LRUCache<string, string>({ max: 20_000 });

  constructor(
    private readonly runtime: Runtime,
    private readonly store: session.Store,
  ) {
    this.cookieName = sessionCookieName(runtime.config.baseUrl.startsWith('https://'));
  }

  private sessionId(req: IncomingMessage): string | undefined {
    const header = req.headers.cookie;
    if (!header) return undefined;
    const raw = parse(header)[this.cookieName];
    if (!raw?.startsWith('s:')) return undefined;
    const known = this.verified.get(raw);
    if (known) return known;
    const sid = signature.unsign(raw.slice(2), this.runtime.keys.session);
    if (sid === false) return undefined;
    this.verified.set(raw, sid);
    return sid;
  }

  private get(sid: string): Promise<session.SessionData | undefined> {
    return new Promise((resolve, reject) => this.store.get(sid, (error, data) => (error ? reject(error) : resolve(data ?? undefined))));
  }

  /**
   * Moves the idle clock only if the session still exists: a sign-out that lands while this request is in flight
   * must not be undone by writing the session back.
   */
  private async writeIfPresent(sid: string, data: session.SessionData): Promise<void> {
    await this.runtime.store.touchIfPresent('sessions', sid, JSON.stringify(data));
  }

  private destroy(sid: string): Promise<void> {
    return new Promise((resolve, reject) => this.store.destroy(sid, (error) => (error ? reject(error) : resolve())));
  }

  /** The signed-in session, or undefined (no cookie, bad signature, unknown, anonymous, or timed out). */
  async read(req: IncomingMessage): Promise<ReadSession | undefined> {
    const sid = this.sessionId(req);
    if (!sid) return undefined;
    const data = await this.get(sid);
    if (!data?.memberId) return undefined;
    const now = this.runtime.now().getTime();
    const verdict = sessionVerdict(data, now, this.runtime.config.session);
    if (verdict === 'idle_timeout' || verdict === 'absolute_timeout') {
      await this.destroy(sid);
      await this.runtime.audit({ event: 'session.ended', memberId: data.memberId, actorId: data.memberId, details: { reason: verdict } });
      return undefined;
    }
    if (verdict === 'refresh') {
      data.lastSeenAt = now;
      await adoptUnindexed(this.runtime.store, sid, data, this.runtime.config.session.absoluteTimeout);
      await this.writeIfPresent(sid, data);
    }
    return { sid, data };
  }
}
