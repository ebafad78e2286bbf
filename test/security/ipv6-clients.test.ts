import request from 'supertest';
import { csrfFrom, newAgent } from '../support/browser-agent.js';
import { claimAll, enterCode, GOOD_PASSWORD, invite } from '../support/claim-walk.js';
import { startHarness, type Harness } from '../support/harness.js';

let h: Harness;
let email: string;
beforeAll(async () => {
  h = await startHarness({ trustProxy: true, claim: { accessCodeLimits: { perIp: 10, perIpWindow: '10m', perMember: 100, global: 1000 } } });
  const invited = await invite(h.runtime);
  email = invited.email;
  await claimAll(newAgent(h.app), invited.claimUrl);
});
afterAll(() => h.close());

/** A different address of the /64 `network` for every call: what one subscriber's router hands out freely. */
let hostSerial = 0;
const from = (network: string) => ({ 'X-Forwarded-For': `${network}:${(++hostSerial).toString(16)}:${((hostSerial * 7919) & 0xffff).toString(16)}:0:1` });
const FAKE_LINK = `/claim/${'A'.repeat(43)}`;

describe('IPv6 clients are counted by network', () => {
  // Attack: one IPv6 /64 holds 2^64 addresses; a new address per guess would get a new budget each time.
  it('access-code guessing from many addresses of one /64: one budget, 400 ×10 then 429; another /64 is unaffected', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await enterCode(newAgent(h.app), `V6GUESS${i}`, 'ABCD-EFGH-JKMN-PQRS', from('2001:db8:a:1'))).status);
    expect(statuses).toEqual([...Array<number>(10).fill(400), 429, 429]);
    expect((await enterCode(newAgent(h.app), 'V6OTHER', 'ABCD-EFGH-JKMN-PQRS', from('2001:db8:a:2'))).status).toBe(400);
  });

  // Attack: the same, scanning claim links.
  it('link scanning from many addresses of one /64: one budget, 404 ×20 then 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await request(h.app).get(`${FAKE_LINK.slice(0, -2)}${String(i).padStart(2, '0')}`).set(from('2001:db8:b:1'))).status);
    expect(statuses).toEqual([...Array<number>(20).fill(404), 429]);
  });

  // Attack: the same, guessing one member's password (the per-name-and-address brake).
  it('password guessing from many addresses of one /64: one budget, 401 ×10 then 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const ip = from('2001:db8:c:1');
      const agent = newAgent(h.app);
      const token = csrfFrom((await agent.get('/login').set(ip)).text);
      statuses.push((await agent.post('/login').set(ip).type('form').send({ _csrf: token, identifier: email, password: `${GOOD_PASSWORD}!${i}` })).status);
    }
    expect(statuses).toEqual([...Array<number>(10).fill(401), 429]);
  });

  // Attack: writing an IPv4 address in its IPv4-mapped IPv6 spelling to get a second budget.
  it('IPv4-mapped spelling of an IPv4 address: counted as that IPv4 address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const ip = { 'X-Forwarded-For': i % 2 === 0 ? '203.0.113.150' : '::ffff:203.0.113.150' };
      statuses.push((await enterCode(newAgent(h.app), `V4MAPPED${i}`, 'ABCD-EFGH-JKMN-PQRS', ip)).status);
    }
    expect(statuses).toEqual([...Array<number>(10).fill(400), 429]);
  });
});
