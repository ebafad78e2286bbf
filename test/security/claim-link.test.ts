import request from 'supertest';
import { claimPath, csrfFrom, newAgent } from '../support/browser-agent.js';
import { claimAll, invite } from '../support/claim-walk.js';
import { startHarness, type Harness } from '../support/harness.js';
import { revokeInvitation } from '../../src/members/revoke.js';
import { linkIdFromToken, newLinkId, tokenForLink } from '../../src/claim/link-token.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ trustProxy: true, claim: { linkTtl: '1h' } });
});
afterAll(() => h.close());

let ipSerial = 0;
const freshIp = () => ({ 'X-Forwarded-For': `198.51.100.${++ipSerial}` });
const FAKE = `/claim/${'0'.repeat(32)}${'A'.repeat(43)}`;
/** The page without what differs by request (CSRF token, request id). */
const strip = (text: string) => text.replace(/value="[0-9a-f]{40,}"/g, '').replace(/[0-9a-f-]{36}/g, '');

describe('claim links', () => {
  // Attack: scanning for valid links by spraying tokens from one address.
  it('link scanning: an address that keeps opening unusable links gets 429 with Retry-After and a page, audited once; the block covers valid links too', async () => {
    const invited = await invite(h.runtime);
    const scanner = { 'X-Forwarded-For': '203.0.113.77' };
    for (let i = 0; i < 20; i++) await request(h.app).get(`${FAKE.slice(0, -2)}${String(i).padStart(2, '0')}`).set(scanner).expect(404);
    const blocked = await request(h.app).get(FAKE).set(scanner).set('Accept', 'text/html');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(60);
    expect(blocked.text).toContain('rate_limited');
    expect(blocked.text).toContain('Wait a few minutes');
    await request(h.app).get(claimPath(invited.claimUrl)).set(scanner).expect(429);
    await request(h.app).get(claimPath(invited.claimUrl)).set(freshIp()).expect(200);
    const { db } = h.runtime;
    const rows = await db.source.manager.findBy(db.entities.AuditEvent, { event: 'claim.link_rejected', ip: '203.0.113.77' });
    expect(rows.filter((row) => row.details.includes('throttled'))).toHaveLength(1);
  });

  // Attack: submitting (POST) guessed links, past the GET limit.
  it('link scanning: POSTs of unusable links count and are blocked the same way', async () => {
    const agent = newAgent(h.app);
    const ip = { 'X-Forwarded-For': '203.0.113.78' };
    const token = csrfFrom((await agent.get('/login').set(ip)).text);
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) statuses.push((await agent.post(`${FAKE.slice(0, -2)}${String(i).padStart(2, '0')}`).set(ip).type('form').send({ _csrf: token })).status);
    expect(statuses.slice(0, 20).every((status) => status === 404)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429]);
  });

  // Attack: telling a used, revoked, expired or made-up link apart (which members exist, who has claimed).
  it('enumeration: used, revoked, expired, tampered and made-up links give the same status and body', async () => {
    const used = await invite(h.runtime);
    await claimAll(newAgent(h.app), used.claimUrl);
    const revoked = await invite(h.runtime);
    await revokeInvitation(h.runtime, revoked.id, 'test');
    const expiring = await invite(h.runtime);
    const live = await invite(h.runtime);
    const tampered = `${claimPath(live.claimUrl).slice(0, -1)}${claimPath(live.claimUrl).endsWith('A') ? 'B' : 'A'}`;
    h.advance(2 * 3600 * 1000);
    const answers = [];
    for (const path of [claimPath(used.claimUrl), claimPath(revoked.claimUrl), claimPath(expiring.claimUrl), tampered, FAKE, '/claim/short']) {
      answers.push(await request(h.app).get(path).set(freshIp()));
    }
    for (const answer of answers) {
      expect(answer.status).toBe(404);
      expect(strip(answer.text)).toBe(strip(answers[0]!.text));
    }
  });

  // Attack: spelling a real token differently (the unused low bits of the last base64url character) to get a second,
  // equally valid link that filters and logs keyed on the exact token do not recognise.
  it('token malleability: only the exact spelling of a token is accepted', async () => {
    const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const key = Buffer.alloc(32, 7);
    for (let i = 0; i < 20; i++) {
      const token = tokenForLink(key, newLinkId());
      const last = ALPHABET.indexOf(token.at(-1)!);
      expect(linkIdFromToken(key, token)).toBe(token.slice(0, 32));
      for (const variant of [last ^ 1, last ^ 2, last ^ 3]) expect(linkIdFromToken(key, token.slice(0, -1) + ALPHABET[variant])).toBeUndefined();
    }
    const invited = await invite(h.runtime);
    const path = claimPath(invited.claimUrl);
    const last = ALPHABET.indexOf(path.at(-1)!);
    await request(h.app).get(path.slice(0, -1) + ALPHABET[last ^ 1]).set(freshIp()).expect(404);
  });

  // Attack: a mail scanner (or an attacker with the mail log) prefetching the link and burning it.
  it('link prefetch: GET and HEAD consume nothing', async () => {
    const invited = await invite(h.runtime);
    for (let i = 0; i < 3; i++) {
      await request(h.app).get(claimPath(invited.claimUrl)).set(freshIp()).expect(200);
      await request(h.app).head(claimPath(invited.claimUrl)).set(freshIp()).expect(200);
    }
    await claimAll(newAgent(h.app), invited.claimUrl);
  });

  // Attack: reusing a link after the claim completed (a forwarded mail, a browser history).
  it('link replay: a link is dead once its claim completes', async () => {
    const invited = await invite(h.runtime);
    await claimAll(newAgent(h.app), invited.claimUrl);
    await request(h.app).get(claimPath(invited.claimUrl)).set(freshIp()).expect(404);
  });

  // Attack: building a link from a stolen copy of the database.
  it('database theft: the database holds no link token', async () => {
    const invited = await invite(h.runtime);
    const token = claimPath(invited.claimUrl).split('/').pop()!;
    const { db } = h.runtime;
    const rows = await db.source.query('SELECT * FROM claim_links');
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(token);
    expect(dump).not.toContain(token.slice(32));
  });
});
