import { createHash } from 'node:crypto';
import { In, LessThanOrEqual, MoreThan, Raw, type EntityManager } from 'typeorm';
import type { Database } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import { prefixPattern } from '../db/like.js';
import { NAMESPACES, type Namespace } from './namespaces.js';
import type { Counter, ShortLivedStore } from './short-lived-store.js';

/** How often a write also deletes every expired row (reads ignore them in the meantime). */
const SWEEP_EVERY_MS = 60_000;
/** A key created by a concurrent writer between our check and our insert: try again this many times. */
const INSERT_ATTEMPTS = 3;

/**
 * The short-lived store in the `short_lived` table, for the deployments without Redis. The same TypeORM calls on
 * both engines: expiry is compared with the runtime's clock, and every read-then-write decides by the rows it
 * affected, so two replicas racing on one key get one winner.
 */
export function sqlStore(db: Database, now: () => Date): ShortLivedStore {
  const table = db.entities.ShortLived;
  // Ids can carry what a client typed (a sign-in name, an employee ID): stored as a digest, they are short and never
  // text PostgreSQL refuses (a NUL byte).
  const digest = (text: string) => createHash('sha256').update(text).digest('base64url');
  const key = (namespace: Namespace, id: string) => `${NAMESPACES[namespace]}${digest(id)}`;
  // A set is one row per entry under its key and a colon; the row's value is the entry itself.
  const setPrefix = (namespace: Namespace, id: string) => `${key(namespace, id)}:`;
  const entryKey = (namespace: Namespace, id: string, member: string) => `${setPrefix(namespace, id)}${digest(member)}`;
  const live = (k: string, at: number) => ({ key: k, expiresAt: MoreThan(at) });
  let lastSweep = 0;

  /**
   * Deletes expired rows, at most once a minute, beside the write that triggered it: the write has committed and must
   * not fail because of it. A sweep that fails is tried again at the next write (reads ignore expired rows anyway).
   */
  function sweep(at: number): void {
    if (at - lastSweep < SWEEP_EVERY_MS) return;
    lastSweep = at;
    db.transaction((manager) => manager.delete(table, { expiresAt: LessThanOrEqual(at) })).catch(() => {
      lastSweep = 0;
    });
  }

  /** Inserts a fresh row where none lives; a unique violation when another writer's live row holds the key. */
  async function insertFresh(manager: EntityManager, k: string, row: { value: string | null; count: number }, expiresAt: number, at: number): Promise<void> {
    await manager.delete(table, { key: k, expiresAt: LessThanOrEqual(at) });
    await manager.insert(table, { key: k, ...row, expiresAt });
  }

  async function readCounter(manager: EntityManager, k: string, at: number): Promise<Counter | null> {
    const row = await manager.findOneBy(table, live(k, at));
    return row ? { count: row.count, msLeft: row.expiresAt - at } : null;
  }

  /** One attempt at an increment; throws a unique violation when a concurrent writer created the key first. */
  function incrementOnce(k: string, by: number, ttlMs: number, restart: boolean): Promise<Counter> {
    return db.transaction(async (manager) => {
      const at = now().getTime();
      if (restart) {
        const restarted = await manager.update(table, { key: k }, { count: by, value: null, expiresAt: at + ttlMs });
        if (!restarted.affected) await manager.insert(table, { key: k, value: null, count: by, expiresAt: at + ttlMs });
      } else {
        const added = await manager.increment(table, live(k, at), 'count', by);
        if (!added.affected) await insertFresh(manager, k, { value: null, count: by }, at + ttlMs, at);
      }
      return (await readCounter(manager, k, at))!;
    });
  }

  return {
    async get(namespace, id) {
      const row = await db.source.manager.findOneBy(table, live(key(namespace, id), now().getTime()));
      return row?.value ?? null;
    },
    async set(namespace, id, value, ttlMs) {
      const at = now().getTime();
      await db.transaction((manager) => manager.upsert(table, { key: key(namespace, id), value, count: 0, expiresAt: at + ttlMs }, ['key']));
      sweep(at);
    },
    async setIfAbsent(namespace, id, value, ttlMs) {
      const at = now().getTime();
      try {
        await db.transaction((manager) => insertFresh(manager, key(namespace, id), { value, count: 0 }, at + ttlMs, at));
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
      sweep(at);
      return true;
    },
    take(namespace, id) {
      const k = key(namespace, id);
      return db.transaction(async (manager) => {
        const row = await manager.findOneBy(table, live(k, now().getTime()));
        if (!row) return null;
        // Whoever deletes the row it read wins; a concurrent take finds nothing left to delete.
        const deleted = await manager.delete(table, { key: k, expiresAt: row.expiresAt });
        return deleted.affected ? row.value : null;
      });
    },
    async touchIfPresent(namespace, id, value) {
      const k = key(namespace, id);
      const updated = await db.transaction((manager) => manager.update(table, live(k, now().getTime()), { value }));
      return Boolean(updated.affected);
    },
    async delete(namespace, id) {
      await db.transaction((manager) => manager.delete(table, { key: key(namespace, id) }));
    },
    async increment(namespace, id, by, ttlMs, options = {}) {
      const k = key(namespace, id);
      for (let attempt = 1; ; attempt++) {
        try {
          const counter = await incrementOnce(k, by, ttlMs, options.restart ?? false);
          sweep(now().getTime());
          return counter;
        } catch (error) {
          if (!isUniqueViolation(error) || attempt >= INSERT_ATTEMPTS) throw error;
        }
      }
    },
    counter: (namespace, id) => readCounter(db.source.manager, key(namespace, id), now().getTime()),
    async addToSet(namespace, id, member, ttlMs) {
      const at = now().getTime();
      await db.transaction((manager) => manager.upsert(table, { key: entryKey(namespace, id, member), value: member, count: 0, expiresAt: at + ttlMs }, ['key']));
      sweep(at);
    },
    async setMembers(namespace, id) {
      const prefix = setPrefix(namespace, id);
      const rows = await db.source.manager.findBy(table, {
        key: Raw((column) => `${column} LIKE :pattern ESCAPE '\\'`, { pattern: prefixPattern(prefix) }),
        expiresAt: MoreThan(now().getTime()),
      });
      // SQLite's LIKE ignores case; the digests do not.
      return rows.filter((row) => row.key.startsWith(prefix) && row.value !== null).map((row) => row.value!);
    },
    async removeFromSet(namespace, id, members) {
      if (!members.length) return;
      await db.transaction((manager) => manager.delete(table, { key: In(members.map((member) => entryKey(namespace, id, member))) }));
    },
  };
}
