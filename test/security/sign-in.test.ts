import { csrfFrom, newAgent } from '../support/browser-agent.js';
import { claimAll, GOOD_PASSWORD, invite } from '../support/claim-walk.js';
import { startHarness, type Harness } from '../support/harness.js';

let h: Harness;
let email: string;
beforeAll(async () => {
  h = await startHarness({ trustProxy: true });
  const invited = await invite(h.runtime);
  email = invited.email;
  await claimAll(newAgent(h.app), invited.claimUrl);
});
afterAll(() => h.close());

let ipSerial = 0;
async function signIn(identifier: string, password: string) {
  const agent = newAgent(h.app);
  const ip = { 'X-Forwarded-For': `192.0.2.${++ipSerial}` };
  const token = csrfFrom((await agent.get('/login').set(ip)).text);
  const started = process.hrtime.bigint();
  const res = await agent.post('/login').set(ip).type('form').send({ _csrf: token, identifier, password });
  return { res, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const strip = (text: string) => text.replace(/value="[0-9a-f]{40,}"/g, '').replace(/value="[^"]*"/g, '');

describe('password sign-in', () => {
  // Attack: learning which accounts exist from the answer (status, wording, form state).
  it('account enumeration: unknown name, unclaimed member and wrong password get the same status and page', async () => {
    const unclaimed = await invite(h.runtime);
    const answers = [await signIn('nobody-here@example.com', GOOD_PASSWORD), await signIn(unclaimed.email, GOOD_PASSWORD), await signIn(email, `${GOOD_PASSWORD}!`)];
    for (const { res } of answers) {
      expect(res.status).toBe(401);
      expect(strip(res.text)).toBe(strip(answers[0]!.res.text));
    }
  });

  // Attack: learning which accounts exist from how long the answer takes (no argon2 work for unknown names).
  it('account enumeration by timing: an unknown name costs an argon2 verify like a known one', async () => {
    await signIn('warm-up@example.com', 'x'.repeat(12));
    const unknown: number[] = [];
    const known: number[] = [];
    for (let i = 0; i < 5; i++) {
      unknown.push((await signIn(`ghost${i}@example.com`, 'wrong password long enough')).ms);
      known.push((await signIn(email, `wrong password long enough ${i}`)).ms);
    }
    // Without the dummy verify an unknown name answers in a few milliseconds, a known one in tens.
    const ratio = median(unknown) / median(known);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });

  // Attack: online guessing against one account; the throttled answer must say when to come back.
  it('password guessing: repeated failures get 429 with Retry-After and a readable page, audited', async () => {
    const agent = newAgent(h.app);
    const ip = { 'X-Forwarded-For': '203.0.113.90' };
    const token = csrfFrom((await agent.get('/login').set(ip)).text);
    let last;
    for (let i = 0; i < 11; i++) last = await agent.post('/login').set(ip).type('form').send({ _csrf: token, identifier: email, password: `guess number ${i} long` });
    expect(last!.status).toBe(429);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(60);
    expect(last!.text).toContain('Too many attempts');
    const { db } = h.runtime;
    const rows = await db.source.manager.findBy(db.entities.AuditEvent, { event: 'login.failed', ip: '203.0.113.90' });
    expect(rows.some((row) => row.details.includes('throttled'))).toBe(true);
  });

  // Attack: filling the append-only audit table with throttled sign-ins (each one used to write a row).
  it('audit flooding: throttled sign-ins write one row when the limit first turns a client away, not one per request', async () => {
    const agent = newAgent(h.app);
    const ip = { 'X-Forwarded-For': '203.0.113.91' };
    const token = csrfFrom((await agent.get('/login').set(ip)).text);
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push((await agent.post('/login').set(ip).type('form').send({ _csrf: token, identifier: 'flood@example.com', password: `guess number ${i} long` })).status);
    expect(statuses).toEqual([...Array(10).fill(401), ...Array(15).fill(429)]);
    const { db } = h.runtime;
    const rows = await db.source.manager.findBy(db.entities.AuditEvent, { event: 'login.failed', ip: '203.0.113.91' });
    expect(rows.filter((row) => row.details.includes('throttled'))).toHaveLength(1);
  });
});
