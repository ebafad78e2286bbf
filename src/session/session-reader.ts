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
  data: Readonly<session.SessionData>;
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
  /** The last stored text of each session read, and its parse. */
  private readonly parsed = new LRUCache<string, { raw: string; data: Readonly<session.SessionData> }>({ max: 10_000 });

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

  /**
   * The session as stored now. Every request reads the store, so a sign-out on any replica ends the next request;
   * only the parse is skipped while the stored text is the same as last time (a steady stream re-reads one string).
   * The parsed object is shared between requests, so it is frozen.
   */
  private async get(sid: string): Promise<Readonly<session.SessionData> | undefined> {
    const raw = await this.runtime.store.get('sessions', sid);
    if (!raw) {
      this.parsed.delete(sid);
      return undefined;
    }
    const known = this.parsed.get(sid);
    if (known?.raw === raw) return known.data;
    const data = Object.freeze(JSON.parse(raw) as session.SessionData);
    this.parsed.set(sid, { raw, data });
    return data;
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
      const refreshed = { ...data, lastSeenAt: now };
      await adoptUnindexed(this.runtime.store, sid, refreshed, this.runtime.config.session.absoluteTimeout);
      await this.writeIfPresent(sid, refreshed);
      return { sid, data: refreshed };
    }
    return { sid, data };
  }
}
