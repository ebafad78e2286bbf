import { IdentityCache, type Identity } from '../../src/gateway/identity.js';
import type { Runtime } from '../../src/runtime.js';

const runtime = { config: { gateway: { identityCacheTtl: 10_000 } } } as unknown as Runtime;
const identity = (name: string): Identity => ({
  id: 'm1', email: 'm1@example.com', username: null, name, groups: [], chosenGroups: [], loginMethod: 'password',
  status: 'claimed', acceptedTermsVersion: null, owesNewPassword: false,
});

/** A loader whose reads the test finishes one by one. */
function controlledLoader() {
  const reads: Array<{ resolve(value: Identity | null): void; reject(error: Error): void }> = [];
  const load = () => new Promise<Identity | null>((resolve, reject) => reads.push({ resolve, reject }));
  return { load, reads };
}

describe('identity cache', () => {
  // Denial of service against the database: every parallel request of a page reading the member as its entry expires.
  it('requests that miss together share one read', async () => {
    const { load, reads } = controlledLoader();
    const cache = new IdentityCache(runtime, load);
    const answers = Promise.all(Array.from({ length: 10 }, () => cache.get('m1')));
    expect(reads).toHaveLength(1);
    reads[0]!.resolve(identity('Ada'));
    expect((await answers).map((each) => each?.name)).toEqual(Array(10).fill('Ada'));
    expect((await cache.get('m1'))?.name).toBe('Ada');
    expect(reads).toHaveLength(1);
  });

  // Stale privilege: a read that began before a deactivation or group change must not be kept after it.
  it('keeps nothing from a read that was under way when the member was forgotten, and reads afresh', async () => {
    const { load, reads } = controlledLoader();
    const cache = new IdentityCache(runtime, load);
    const before = cache.get('m1');
    cache.forget('m1');
    const after = cache.get('m1');
    expect(reads).toHaveLength(2);
    reads[1]!.resolve(identity('Changed'));
    reads[0]!.resolve(identity('Stale'));
    expect((await before)?.name).toBe('Stale');
    expect((await after)?.name).toBe('Changed');
    expect((await cache.get('m1'))?.name).toBe('Changed');
    expect(reads).toHaveLength(2);
  });

  it('a failed read is shared by the requests waiting on it, then tried again', async () => {
    const { load, reads } = controlledLoader();
    const cache = new IdentityCache(runtime, load);
    const waiting = [cache.get('m1'), cache.get('m1')];
    reads[0]!.reject(new Error('database down'));
    for (const answer of waiting) await expect(answer).rejects.toThrow('database down');
    const retried = cache.get('m1');
    expect(reads).toHaveLength(2);
    reads[1]!.resolve(identity('Back'));
    expect((await retried)?.name).toBe('Back');
  });
});
