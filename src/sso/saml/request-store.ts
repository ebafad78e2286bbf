import type { EntityManager } from 'typeorm';
import type { Runtime } from '../../runtime.js';
import type { SsoStart } from '../start.js';

/** What is remembered about an AuthnRequest until the IdP answers it (or it expires). */
export interface PendingRequest {
  providerId: string;
  /** The request's IssueInstant, as node-saml stores it. */
  instant: string;
  start: SsoStart;
}

/**
 * Outstanding AuthnRequests, shared by every replica: Redis when configured (one key per request, expiring on its
 * own), otherwise the `saml_requests` table. `take` is atomic (GETDEL / DELETE … RETURNING), so an answer is
 * accepted once even when the same response is posted twice at the same moment.
 */
export interface RequestStore {
  save(id: string, entry: PendingRequest, ttlMs: number): Promise<void>;
  peek(id: string): Promise<PendingRequest | null>;
  take(id: string): Promise<PendingRequest | null>;
}

function decode(value: string | null | undefined): PendingRequest | null {
  if (!value) return null;
  try {
    return JSON.parse(value) as PendingRequest;
  } catch {
    return null;
  }
}

function redisStore(runtime: Runtime): RequestStore {
  const redis = runtime.redis!;
  const key = (id: string) => `${runtime.config.redis.prefix}saml-request:${id}`;
  return {
    async save(id, entry, ttlMs) {
      await redis.set(key(id), JSON.stringify(entry), { expiration: { type: 'PX', value: ttlMs } });
    },
    peek: async (id) => decode(await redis.get(key(id))),
    take: async (id) => decode(await redis.getDel(key(id))),
  };
}

async function run(manager: EntityManager, sql: string, params: unknown[]): Promise<Array<Record<string, unknown>>> {
  const result = await manager.queryRunner!.query(sql, params, true);
  return (result.records ?? []) as Array<Record<string, unknown>>;
}

function databaseStore(runtime: Runtime): RequestStore {
  const { db } = runtime;
  const postgres = db.engine === 'postgres';
  // The two engines spell placeholders differently; the statements are otherwise the same.
  const sql = (text: string) => (postgres ? text : text.replace(/\$\d+/g, '?'));
  const now = () => runtime.now().getTime();
  return {
    save: (id, entry, ttlMs) =>
      db.transaction(async (manager) => {
        await run(manager, sql('DELETE FROM saml_requests WHERE expires_at <= $1'), [now()]);
        await run(manager, sql('INSERT INTO saml_requests (id, value, expires_at) VALUES ($1, $2, $3)'), [id, JSON.stringify(entry), now() + ttlMs]);
      }),
    peek: async (id) => {
      const rows = await db.transaction((manager) => run(manager, sql('SELECT value FROM saml_requests WHERE id = $1 AND expires_at > $2'), [id, now()]));
      return decode(rows[0]?.value as string | undefined);
    },
    take: async (id) => {
      const rows = await db.transaction((manager) => run(manager, sql('DELETE FROM saml_requests WHERE id = $1 AND expires_at > $2 RETURNING value'), [id, now()]));
      return decode(rows[0]?.value as string | undefined);
    },
  };
}

/** Request ids are ours (41 characters); anything much longer in an InResponseTo is no request of ours. */
const MAX_ID_LENGTH = 128;

export function createRequestStore(runtime: Runtime): RequestStore {
  const store = runtime.redis ? redisStore(runtime) : databaseStore(runtime);
  return {
    save: store.save,
    peek: async (id) => (id.length <= MAX_ID_LENGTH ? store.peek(id) : null),
    take: async (id) => (id.length <= MAX_ID_LENGTH ? store.take(id) : null),
  };
}
