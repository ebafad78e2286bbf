import session from 'express-session';
import { LessThan } from 'typeorm';
import type { Database } from '../db/database.js';

type Callback = (error?: unknown) => void;

/**
 * express-session store on the embedded database, so sessions survive a restart without Redis.
 * Expired rows are ignored on read and swept now and then. It has no touch: idle time lives in the session
 * (lastSeenAt), so a steady request reads one row and writes nothing.
 */
export class DatabaseSessionStore extends session.Store {
  private lastSweep = 0;

  constructor(
    private readonly db: Database,
    private readonly ttlMs: number,
    private readonly sweepEveryMs = 10 * 60 * 1000,
  ) {
    super();
  }

  private expiry(data: session.SessionData): Date {
    const expires = data.cookie?.expires ? new Date(data.cookie.expires).getTime() : Date.now() + this.ttlMs;
    return new Date(Math.min(expires, Date.now() + this.ttlMs));
  }

  override get(sid: string, callback: (error: unknown, session?: session.SessionData | null) => void): void {
    this.db.source.manager
      .findOneBy(this.db.entities.Session, { sid })
      .then((row) => callback(null, row && row.expiresAt.getTime() > Date.now() ? (JSON.parse(row.data) as session.SessionData) : null))
      .catch(callback);
  }

  override set(sid: string, data: session.SessionData, callback?: Callback): void {
    this.db
      .transaction((manager) => manager.upsert(this.db.entities.Session, { sid, data: JSON.stringify(data), expiresAt: this.expiry(data) }, ['sid']))
      .then(() => this.sweep())
      .then(() => callback?.())
      .catch((error: unknown) => callback?.(error));
  }

  override destroy(sid: string, callback?: Callback): void {
    this.db
      .transaction((manager) => manager.delete(this.db.entities.Session, { sid }))
      .then(() => callback?.())
      .catch((error: unknown) => callback?.(error));
  }

  private async sweep(): Promise<void> {
    const now = Date.now();
    if (now - this.lastSweep < this.sweepEveryMs) return;
    this.lastSweep = now;
    await this.db.transaction((manager) => manager.delete(this.db.entities.Session, { expiresAt: LessThan(new Date(now)) }));
  }
}
