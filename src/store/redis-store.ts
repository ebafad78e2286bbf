import type { RedisClient } from '../runtime.js';
import { redisKeyPrefix, type Namespace } from './namespaces.js';
import type { Counter, ShortLivedStore } from './short-lived-store.js';

/** The short-lived store on Redis: one key per entry, expiring on its own; each operation is one command or one MULTI. */
export function redisStore(redis: RedisClient, deploymentPrefix: string): ShortLivedStore {
  const key = (namespace: Namespace, id: string) => `${redisKeyPrefix(deploymentPrefix, namespace)}${id}`;
  const px = (ttlMs: number) => ({ type: 'PX', value: Math.max(1, Math.ceil(ttlMs)) }) as const;
  const asCounter = (value: unknown, msLeft: unknown): Counter | null =>
    value == null ? null : { count: Number(value), msLeft: Math.max(0, Number(msLeft)) };

  return {
    get: (namespace, id) => redis.get(key(namespace, id)),
    async set(namespace, id, value, ttlMs) {
      await redis.set(key(namespace, id), value, { expiration: px(ttlMs) });
    },
    async setIfAbsent(namespace, id, value, ttlMs) {
      return (await redis.set(key(namespace, id), value, { condition: 'NX', expiration: px(ttlMs) })) === 'OK';
    },
    take: (namespace, id) => redis.getDel(key(namespace, id)),
    async touchIfPresent(namespace, id, value) {
      return (await redis.set(key(namespace, id), value, { condition: 'XX', expiration: 'KEEPTTL' })) === 'OK';
    },
    async delete(namespace, id) {
      await redis.del(key(namespace, id));
    },
    async increment(namespace, id, by, ttlMs, options = {}) {
      const k = key(namespace, id);
      const multi = redis.multi();
      if (options.restart) multi.set(k, String(by), { expiration: px(ttlMs) });
      else multi.set(k, '0', { condition: 'NX', expiration: px(ttlMs) }).incrBy(k, by);
      const replies = await multi.get(k).pTTL(k).exec();
      return asCounter(replies.at(-2), replies.at(-1))!;
    },
    async counter(namespace, id) {
      const k = key(namespace, id);
      const [value, msLeft] = await redis.multi().get(k).pTTL(k).exec();
      return asCounter(value, msLeft);
    },
    async addToSet(namespace, id, member, ttlMs) {
      // One expiry for the whole set, only ever pushed later: it outlives every entry added to it.
      const k = key(namespace, id);
      const ms = Math.max(1, Math.ceil(ttlMs));
      await redis.multi().sAdd(k, member).pExpire(k, ms, 'NX').pExpire(k, ms, 'GT').exec();
    },
    setMembers: (namespace, id) => redis.sMembers(key(namespace, id)),
    async removeFromSet(namespace, id, members) {
      if (members.length) await redis.sRem(key(namespace, id), members);
    },
  };
}
