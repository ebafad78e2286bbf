import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract, type RateLimiterRes } from 'rate-limiter-flexible';
import type { Runtime } from '../runtime.js';

export interface LimitOptions {
  keyPrefix: string;
  points: number;
  durationSeconds: number;
  blockSeconds?: number;
}

/** A limiter shared by every replica when Redis is configured, in-process otherwise (the embedded mode). */
export function createLimiter(runtime: Runtime, options: LimitOptions): RateLimiterAbstract {
  const common = {
    keyPrefix: `${runtime.config.redis.prefix}rl:${options.keyPrefix}`,
    points: options.points,
    duration: options.durationSeconds,
    blockDuration: options.blockSeconds ?? 0,
  };
  return runtime.redis
    ? new RateLimiterRedis({ ...common, storeClient: runtime.redis, useRedisPackage: true })
    : new RateLimiterMemory(common);
}

/** How many points are left for a key, without spending one. */
export async function remainingPoints(limiter: RateLimiterAbstract, key: string): Promise<number> {
  const state = await limiter.get(key);
  return state ? limiter.points - state.consumedPoints : limiter.points;
}

/** Spends a point; false when none was left. A store failure is thrown, never read as "allowed". */
export async function tryConsume(limiter: RateLimiterAbstract, key: string): Promise<boolean> {
  return (await consumeOrRefusal(limiter, key)) === null;
}

export interface Refusal {
  /** Points spent in this window, the refused one included: `points + 1` on the first refusal. */
  consumedPoints: number;
  /** Whole seconds until the key may try again (at least 1): the Retry-After value. */
  retryAfter: number;
}

/** Spends a point; null when it was there, else what the refusal needs (no second read of the store). */
export async function consumeOrRefusal(limiter: RateLimiterAbstract, key: string): Promise<Refusal | null> {
  try {
    await limiter.consume(key);
    return null;
  } catch (rejection) {
    if (rejection instanceof Error) throw rejection;
    const state = rejection as RateLimiterRes;
    return { consumedPoints: state.consumedPoints, retryAfter: Math.max(1, Math.ceil(state.msBeforeNext / 1000)) };
  }
}

/** Whole seconds until every exhausted key among `checks` may try again (at least 1): the Retry-After value. */
export async function retryAfterSeconds(checks: Array<[RateLimiterAbstract, string]>): Promise<number> {
  let longest = 0;
  for (const [limiter, key] of checks) {
    const state = await limiter.get(key);
    if (state && state.remainingPoints <= 0) longest = Math.max(longest, state.msBeforeNext);
  }
  return Math.max(1, Math.ceil(longest / 1000));
}
