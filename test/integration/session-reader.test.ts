import type { IncomingMessage } from 'node:http';
import signature from 'cookie-signature';
import { SessionReader } from '../../src/session/session-reader.js';
import { sessionCookieName } from '../../src/session/session.js';
import { startHarness, type Harness } from '../support/harness.js';

let h: Harness;
let reader: SessionReader;
const DAY = 24 * 60 * 60 * 1000;

beforeAll(async () => {
  h = await startHarness();
  reader = new SessionReader(h.runtime, h.handle.sessionStore);
});
afterAll(() => h.close());

/** A proxied request carrying the signed session cookie of `sid`. */
function requestWith(sid: string): IncomingMessage {
  const cookie = `${sessionCookieName(false)}=${encodeURIComponent(`s:${signature.sign(sid, h.runtime.keys.session)}`)}`;
  return { headers: { cookie } } as IncomingMessage;
}

async function store(sid: string, data: Record<string, unknown>): Promise<void> {
  await h.runtime.store.set('sessions', sid, JSON.stringify({ cookie: { originalMaxAge: DAY }, ...data }), DAY);
}

describe('reading the session of a proxied request', () => {
  it('a sign-out between two requests ends the second, though the first parse is kept', async () => {
    const now = h.runtime.now().getTime();
    await store('sid-signed-out', { memberId: 'm-1', authenticatedAt: now, lastSeenAt: now, createdAt: now });
    expect((await reader.read(requestWith('sid-signed-out')))?.data.memberId).toBe('m-1');
    // Attack: replaying the cookie of a session signed out on another replica.
    await h.runtime.store.delete('sessions', 'sid-signed-out');
    expect(await reader.read(requestWith('sid-signed-out'))).toBeUndefined();
  });

  it('a session whose stored text changed is read as it is now, not as first parsed', async () => {
    const now = h.runtime.now().getTime();
    await store('sid-changed', { memberId: 'm-1', authenticatedAt: now, lastSeenAt: now, createdAt: now });
    expect((await reader.read(requestWith('sid-changed')))?.data.memberId).toBe('m-1');
    // A session that lost its member (signed out to anonymous) must not pass as the member it used to carry.
    await store('sid-changed', { authenticatedAt: now, lastSeenAt: now, createdAt: now });
    expect(await reader.read(requestWith('sid-changed'))).toBeUndefined();
    await store('sid-changed', { memberId: 'm-2', authenticatedAt: now, lastSeenAt: now, createdAt: now });
    expect((await reader.read(requestWith('sid-changed')))?.data.memberId).toBe('m-2');
  });

  it('one request cannot change the session another request reads', async () => {
    const now = h.runtime.now().getTime();
    await store('sid-shared', { memberId: 'm-1', authenticatedAt: now, lastSeenAt: now, createdAt: now });
    const first = await reader.read(requestWith('sid-shared'));
    expect(() => {
      (first!.data as { memberId?: string }).memberId = 'm-admin';
    }).toThrow(TypeError);
    expect((await reader.read(requestWith('sid-shared')))?.data.memberId).toBe('m-1');
  });

  it('moves the idle clock in the store and in its answer, leaving the shared parse as it was', async () => {
    const now = h.runtime.now().getTime();
    const earlier = now - 5 * 60 * 1000;
    await store('sid-idle', { memberId: 'm-1', authenticatedAt: earlier, lastSeenAt: earlier, createdAt: earlier });
    const read = await reader.read(requestWith('sid-idle'));
    expect(read?.data.lastSeenAt).toBeGreaterThanOrEqual(now);
    expect(JSON.parse((await h.runtime.store.get('sessions', 'sid-idle'))!).lastSeenAt).toBe(read?.data.lastSeenAt);
    const again = await reader.read(requestWith('sid-idle'));
    expect(again?.data.lastSeenAt).toBe(read?.data.lastSeenAt);
  });
});
