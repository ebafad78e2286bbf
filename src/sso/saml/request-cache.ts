import type { CacheItem, CacheProvider } from '@node-saml/node-saml';
import type { SsoStart } from '../start.js';
import type { PendingRequest, RequestStore } from './request-store.js';

/**
 * node-saml's InResponseTo cache, made for one HTTP request and one provider. At login it stores the SsoStart with
 * the request id; at the ACS it answers node-saml's look-ups and keeps what node-saml removes, so the route can
 * read the start after validation — and knows whether this request was the one that consumed it.
 */
export class RequestCache implements CacheProvider {
  private taken: PendingRequest | null = null;
  private takenId: string | null = null;

  constructor(
    private readonly store: RequestStore,
    private readonly providerId: string,
    private readonly ttlMs: number,
    private readonly start: SsoStart = { providerId },
  ) {}

  async saveAsync(key: string, value: string): Promise<CacheItem | null> {
    await this.store.save(key, { providerId: this.providerId, instant: value, start: this.start }, this.ttlMs);
    return { value, createdAt: Date.now() };
  }

  async getAsync(key: string): Promise<string | null> {
    const entry = await this.store.peek(key);
    // A request made for another provider is no answer to this one.
    return entry && entry.providerId === this.providerId ? entry.instant : null;
  }

  async removeAsync(key: string | null): Promise<string | null> {
    if (!key) return null;
    const entry = await this.store.take(key);
    if (entry && entry.providerId === this.providerId) {
      this.taken = entry;
      this.takenId = key;
    }
    return entry?.instant ?? null;
  }

  /**
   * The start of the request `id`, consumed by this HTTP request; null when another request consumed it first
   * (a replay racing the original) or it never existed.
   */
  async consume(id: string): Promise<SsoStart | null> {
    if (this.takenId !== id) await this.removeAsync(id);
    return this.takenId === id && this.taken ? this.taken.start : null;
  }
}
