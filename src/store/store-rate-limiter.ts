import { createRequire } from 'node:module';
import { RateLimiterRes, type IRateLimiterOptions, type RateLimiterStoreAbstract } from 'rate-limiter-flexible';
import type { Counter, ShortLivedStore } from './short-lived-store.js';

// The package declares its base class for custom stores but leaves it out of its entry point.
const StoreAbstract = createRequire(import.meta.url)('rate-limiter-flexible/lib/RateLimiterStoreAbstract.js') as typeof RateLimiterStoreAbstract;

/**
 * rate-limiter-flexible over the short-lived store's counters: the limits of a deployment without Redis hold across
 * every replica that shares its database, and windows follow the runtime's clock. Consume, penalty, reward, block
 * and get keep the library's meaning; only the storage is ours.
 */
export class StoreRateLimiter extends StoreAbstract {
  private readonly counters: ShortLivedStore;

  constructor(store: ShortLivedStore, options: IRateLimiterOptions) {
    super({ ...options, storeClient: store });
    this.counters = store;
  }

  _upsert(rlKey: string, points: number, msDuration: number, forceExpire = false): Promise<Counter> {
    return this.counters.increment('rateLimits', rlKey, points, msDuration, { restart: forceExpire });
  }

  _get(rlKey: string): Promise<Counter | null> {
    return this.counters.counter('rateLimits', rlKey);
  }

  async _delete(rlKey: string): Promise<boolean> {
    await this.counters.delete('rateLimits', rlKey);
    return true;
  }

  _getRateLimiterRes(_rlKey: string, changedPoints: number, counter: Counter): RateLimiterRes {
    return new RateLimiterRes(Math.max(this.points - counter.count, 0), counter.msLeft, counter.count, changedPoints === counter.count);
  }
}
