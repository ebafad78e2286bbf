import { createHash } from 'node:crypto';
import { LessThan } from 'typeorm';
import { isUniqueViolation } from '../db/errors.js';
import type { Runtime } from '../runtime.js';

/**
 * Marks `key` as used and answers true the first time only, on every replica (Redis SET NX, or a primary key in the
 * database): a replayed OIDC callback or SAML response finds its key already taken.
 */
export async function useOnce(runtime: Runtime, key: string, ttlMs: number): Promise<boolean> {
  const { redis, db, config } = runtime;
  // Stored as a digest: fixed length, and nothing a provider sent is kept as such.
  key = createHash('sha256').update(key).digest('hex');
  if (redis) {
    const answer = await redis.set(`${config.redis.prefix}sso-once:${key}`, '1', { condition: 'NX', expiration: { type: 'PX', value: ttlMs } });
    return answer === 'OK';
  }
  const now = runtime.now();
  try {
    await db.transaction(async (manager) => {
      await manager.delete(db.entities.SsoOnce, { expiresAt: LessThan(now) });
      await manager.insert(db.entities.SsoOnce, { key, expiresAt: new Date(now.getTime() + ttlMs) });
    });
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}
