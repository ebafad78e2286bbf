import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract, type RateLimiterRes } from 'rate-limiter-flexible';
import type { AuditEntry } from '../audit/audit.js';
import type { Runtime } from '../runtime.js';
import { redisKeyPrefix } from '../store/namespaces.js';
import { StoreRateLimiter } from '../store/store-rate-limiter.js';

export interface LimitOptions {
  keyPrefix: string;
  points: number;
  durationSeconds: number;
  blockSeconds?: number;
}

/**
 * A limiter shared by every replica: on Redis when configured, else on the short-lived store in PostgreSQL (so N
 * replicas never give N times the budget). The embedded mode is one process by design and counts in memory.
 */
export function createLimiter(runtime: Runtime, options: LimitOptions): RateLimiterAbstract {
  const common = {
    keyPrefix: options.keyPrefix,
    points: options.points,
    duration: options.durationSeconds,
    blockDuration: options.blockSeconds ?? 0,
  };
  if (runtime.redis) {
    const keyPrefix = `${redisKeyPrefix(runtime.config.redis.prefix, 'rateLimits')}${options.keyPrefix}`;
    return new RateLimiterRedis({ ...common, keyPrefix, storeClient: runtime.redis, useRedisPackage: true });
  }
  return runtime.config.database.url ? new StoreRateLimiter(runtime.store, common) : new RateLimiterMemory(common);
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

/**
 * When a limit first bites in a window: `reached` is the point that used up the budget (counted failures: the
 * failure that locks), `exceeded` the first point refused (counted attempts: the first request turned away).
 */
export type LimitMoment = 'reached' | 'exceeded';

/** True for exactly one point per key and window: the one at `moment`. */
export function isFirstAt(limiter: RateLimiterAbstract, consumedPoints: number, moment: LimitMoment): boolean {
  return consumedPoints === (moment === 'reached' ? limiter.points : limiter.points + 1);
}

/** Audits `entry` once per key and window, when the limit first bites, not for every request after it. */
export async function auditOnceAt(runtime: Runtime, limiter: RateLimiterAbstract, consumedPoints: number, moment: LimitMoment, entry: AuditEntry): Promise<void> {
  if (isFirstAt(limiter, consumedPoints, moment)) await runtime.audit(entry);
}
