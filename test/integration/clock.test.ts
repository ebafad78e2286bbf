import { decodeJwt } from 'jose';
import { newAgent } from '../support/browser-agent.js';
import { claimAll, invite } from '../support/claim-walk.js';
import { startHarness, type Harness } from '../support/harness.js';
import { startUpstream, type Seen } from '../support/upstream.js';

// Time-dependent behaviour reads the runtime's clock, so tests move it instead of waiting (and a busy machine
// cannot make them late).
let upstream: Awaited<ReturnType<typeof startUpstream>>;
let h: Harness;

beforeAll(async () => {
  upstream = await startUpstream();
  h = await startHarness({ upstream: { url: upstream.url, landingPath: '/app' } });
});
afterAll(async () => {
  await h.close();
  await upstream.close();
});

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

describe('the runtime clock', () => {
  it('stamps audit rows', async () => {
    const day = 24 * 60 * 60 * 1000;
    h.advance(day);
    try {
      await h.runtime.audit({ event: 'login.failed', outcome: 'failure', details: { reason: 'clock' } });
      const { db } = h.runtime;
      const row = await db.source.manager.findOneByOrFail(db.entities.AuditEvent, { event: 'login.failed' });
      expect(Math.abs(row.time.getTime() - h.runtime.now().getTime())).toBeLessThan(day / 2);
    } finally {
      h.advance(-day);
    }
  });

  it('dates the identity token and renews it once half its lifetime is gone', async () => {
    const invited = await invite(h.runtime, 'token-clock@example.com');
    const member = newAgent(h.app);
    await claimAll(member, invited.claimUrl);
    // The upstream echoes the request it received, identity token included.
    const tokenAt = async (path: string) => (JSON.parse((await member.get(path).expect(200)).text) as Seen).headers['x-claimgate-identity'] as string;
    const first = await tokenAt('/app/clock-1');
    expect(await tokenAt('/app/clock-2')).toBe(first);

    const halfLife = h.config.gateway.jwt.ttl / 2 + 1000;
    h.advance(halfLife);
    try {
      const before = seconds(h.runtime.now());
      const renewed = await tokenAt('/app/clock-3');
      const after = seconds(h.runtime.now());
      expect(renewed).not.toBe(first);
      const { iat, exp } = decodeJwt(renewed);
      expect(iat).toBeGreaterThanOrEqual(before);
      expect(iat).toBeLessThanOrEqual(after);
      expect(exp! - iat!).toBe(h.config.gateway.jwt.ttl / 1000);
    } finally {
      h.advance(-halfLife);
    }
  });
});
