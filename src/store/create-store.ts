import type { Database } from '../db/database.js';
import type { RedisClient } from '../runtime.js';
import { redisStore } from './redis-store.js';
import type { ShortLivedStore } from './short-lived-store.js';
import { sqlStore } from './sql-store.js';

/** Redis when configured, otherwise the database: the one choice of where short-lived state lives. */
export function createShortLivedStore(db: Database, redis: RedisClient | undefined, redisPrefix: string, now: () => Date): ShortLivedStore {
  return redis ? redisStore(redis, redisPrefix) : sqlStore(db, now);
}
