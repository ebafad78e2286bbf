import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'redis';
import { parseConfig } from '../../src/config/load.js';
import { openDatabase } from '../../src/db/database.js';
import { redisStore } from '../../src/store/redis-store.js';
import type { ShortLivedStore } from '../../src/store/short-lived-store.js';
import { sqlStore } from '../../src/store/sql-store.js';
import { createTestDatabase, POSTGRES_ADMIN_URL, REDIS_URL } from '../support/databases.js';
import { testConfigInput } from '../support/harness.js';

/** One backend under test; `pass(ms)` lets that much time go by for its expiry (the injectable clock for SQL). */
interface Backend {
  store: ShortLivedStore;
  pass(ms: number): Promise<void>;
  close(): Promise<void>;
}

async function sqlBackend(databaseUrl: string | undefined, drop: () => Promise<void>): Promise<Backend> {
  const dir = mkdtempSync(join(tmpdir(), 'claimgate-store-'));
  const db = await openDatabase(parseConfig(testConfigInput(dir, databaseUrl), 'test'));
  // A stopped clock: only `pass` moves it, so a slow machine between two calls cannot expire a key early.
  const start = Date.now();
  let offset = 0;
  return {
    store: sqlStore(db, () => new Date(start + offset)),
    pass: async (ms) => {
      offset += ms;
    },
    async close() {
      await db.close();
      await drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const backends: Array<[string, () => Promise<Backend>]> = [['SQLite', () => sqlBackend(undefined, async () => undefined)]];
if (POSTGRES_ADMIN_URL) {
  backends.push(['PostgreSQL', async () => {
    const database = await createTestDatabase();
    return sqlBackend(database.url, () => database.drop());
  }]);
}
if (REDIS_URL) {
  backends.push(['Redis', async () => {
    const redis = createClient({ url: REDIS_URL });
    await redis.connect();
    const prefix = `cgtest:${randomBytes(4).toString('hex')}:`;
    return {
      store: redisStore(redis, prefix),
      // Redis keeps real time: only millisecond TTLs are waited for.
      pass: (ms) => sleep(ms),
      async close() {
        const keys = await redis.keys(`${prefix}*`);
        if (keys.length) await redis.del(keys);
        await redis.close();
      },
    };
  }]);
}

const LONG = 60_000;
// Long enough for a busy machine to read a key before it expires; Redis waits for it twice per expiry test.
const SHORT = 1000;
let serial = 0;
const fresh = () => `key-${Date.now()}-${++serial}`;

describe.each(backends)('the short-lived store on %s', (_name, open) => {
  let b: Backend;
  beforeAll(async () => {
    b = await open();
  });
  afterAll(() => b.close());

  it('get and set: a value reads back until it expires', async () => {
    const id = fresh();
    expect(await b.store.get('samlRequest', id)).toBeNull();
    await b.store.set('samlRequest', id, 'first', SHORT);
    await b.store.set('samlRequest', id, 'second', SHORT);
    expect(await b.store.get('samlRequest', id)).toBe('second');
    await b.pass(SHORT * 2);
    expect(await b.store.get('samlRequest', id)).toBeNull();
  });

  // Attack: a sign-in name or employee ID with a NUL byte or of great length, which become rate-limit keys: the store
  // must count it, not fail (PostgreSQL refuses NUL in text, which was a 500 where Redis counted the attempt).
  it('keys hold any text a client can send: NUL bytes and long ids', async () => {
    const id = `name\u0000${'x'.repeat(2000)}-${fresh()}`;
    expect((await b.store.increment('rateLimits', id, 1, LONG)).count).toBe(1);
    expect((await b.store.increment('rateLimits', id, 1, LONG)).count).toBe(2);
    expect((await b.store.increment('rateLimits', `${id}-other`, 1, LONG)).count).toBe(1);
  });

  it('namespaces keep equal ids apart', async () => {
    const id = fresh();
    await b.store.set('samlRequest', id, 'request', LONG);
    expect(await b.store.get('ssoOnce', id)).toBeNull();
  });

  // Attack: replaying an OIDC callback or a SAML response (two at once, on two replicas).
  it('set-if-absent: of ten concurrent writers exactly one wins, and the value stays the winner’s', async () => {
    const id = fresh();
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => b.store.setIfAbsent('ssoOnce', id, `writer-${i}`, LONG)));
    expect(answers.filter(Boolean)).toHaveLength(1);
    expect(await b.store.get('ssoOnce', id)).toBe(`writer-${answers.indexOf(true)}`);
    expect(await b.store.setIfAbsent('ssoOnce', id, 'late', LONG)).toBe(false);
  });

  it('set-if-absent: an expired key may be written again', async () => {
    const id = fresh();
    expect(await b.store.setIfAbsent('ssoOnce', id, '1', SHORT)).toBe(true);
    await b.pass(SHORT * 2);
    expect(await b.store.setIfAbsent('ssoOnce', id, '2', LONG)).toBe(true);
    expect(await b.store.get('ssoOnce', id)).toBe('2');
  });

  // Attack: posting the same SAML response twice at the same moment to have it accepted twice.
  it('take: of ten concurrent takes exactly one gets the value, and the key is gone', async () => {
    const id = fresh();
    await b.store.set('samlRequest', id, 'pending', LONG);
    const taken = await Promise.all(Array.from({ length: 10 }, () => b.store.take('samlRequest', id)));
    expect(taken.filter((value) => value === 'pending')).toHaveLength(1);
    expect(taken.filter((value) => value === null)).toHaveLength(9);
    expect(await b.store.get('samlRequest', id)).toBeNull();
  });

  it('take: an expired value is not handed out', async () => {
    const id = fresh();
    await b.store.set('samlRequest', id, 'pending', SHORT);
    await b.pass(SHORT * 2);
    expect(await b.store.take('samlRequest', id)).toBeNull();
  });

  // Attack: keeping a signed-out session alive through a request that was in flight during the sign-out.
  it('touch-if-present: never resurrects a deleted key', async () => {
    const id = fresh();
    await b.store.set('sessions', id, 'signed in', LONG);
    expect(await b.store.touchIfPresent('sessions', id, 'still here')).toBe(true);
    expect(await b.store.get('sessions', id)).toBe('still here');
    await b.store.delete('sessions', id);
    expect(await b.store.touchIfPresent('sessions', id, 'back again')).toBe(false);
    expect(await b.store.get('sessions', id)).toBeNull();
    expect(await b.store.touchIfPresent('sessions', fresh(), 'never was')).toBe(false);
  });

  it('touch-if-present: keeps the expiry, so a touched key still ends on time', async () => {
    const id = fresh();
    await b.store.set('sessions', id, 'signed in', SHORT * 3);
    await b.pass(SHORT);
    expect(await b.store.touchIfPresent('sessions', id, 'touched')).toBe(true);
    await b.pass(SHORT * 3);
    expect(await b.store.get('sessions', id)).toBeNull();
    expect(await b.store.touchIfPresent('sessions', id, 'too late')).toBe(false);
  });

  // Attack: a burst of parallel guesses that outruns the count (N replicas must not give N times the budget).
  it('counters: count every concurrent increment', async () => {
    const id = fresh();
    const counts = await Promise.all(Array.from({ length: 20 }, () => b.store.increment('rateLimits', id, 1, LONG)));
    expect(counts.map((counter) => counter.count).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const now = await b.store.counter('rateLimits', id);
    expect(now!.count).toBe(20);
    expect(now!.msLeft).toBeGreaterThan(0);
    expect(now!.msLeft).toBeLessThanOrEqual(LONG);
  });

  it('counters: start again from zero once expired', async () => {
    const id = fresh();
    await b.store.increment('rateLimits', id, 1, SHORT);
    expect((await b.store.increment('rateLimits', id, 1, SHORT)).count).toBe(2);
    await b.pass(SHORT * 2);
    expect(await b.store.counter('rateLimits', id)).toBeNull();
    expect((await b.store.increment('rateLimits', id, 1, LONG)).count).toBe(1);
  });

  it('counters: give points back, restart with a new window, and delete', async () => {
    const id = fresh();
    await b.store.increment('rateLimits', id, 5, LONG);
    expect((await b.store.increment('rateLimits', id, -2, LONG)).count).toBe(3);
    const restarted = await b.store.increment('rateLimits', id, 11, LONG * 2, { restart: true });
    expect(restarted.count).toBe(11);
    expect(restarted.msLeft).toBeGreaterThan(LONG);
    await b.store.delete('rateLimits', id);
    expect(await b.store.counter('rateLimits', id)).toBeNull();
  });
  it('sets: members read back, are removed one by one, and stay apart per set and namespace', async () => {
    const id = fresh();
    await Promise.all(['s1', 's2', 's_3%'].map((member) => b.store.addToSet('memberSessions', id, member, LONG)));
    await b.store.addToSet('memberSessions', `${id}-other`, 'elsewhere', LONG);
    expect((await b.store.setMembers('memberSessions', id)).sort()).toEqual(['s1', 's2', 's_3%']);
    await b.store.removeFromSet('memberSessions', id, ['s1', 's_3%', 'never-added']);
    expect(await b.store.setMembers('memberSessions', id)).toEqual(['s2']);
    expect(await b.store.setMembers('memberSessions', `${id}-other`)).toEqual(['elsewhere']);
  });

  // Attack: an index that forgets a session before it ends (a member's "sign out everywhere" would miss it).
  it('sets: a later, longer entry keeps the set alive past an earlier entry’s ttl', async () => {
    const id = fresh();
    await b.store.addToSet('memberSessions', id, 'short', SHORT);
    await b.store.addToSet('memberSessions', id, 'long', LONG);
    expect((await b.store.setMembers('memberSessions', id)).sort()).toEqual(['long', 'short']);
    await b.pass(SHORT * 2);
    expect(await b.store.setMembers('memberSessions', id)).toContain('long');
  });
});
