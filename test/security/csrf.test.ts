import request from 'supertest';
import { claimPath, csrfFrom, newAgent } from '../support/browser-agent.js';
import { claimAll, GOOD_PASSWORD, invite, startClaim } from '../support/claim-walk.js';
import { startHarness, type Harness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('cross-site request forgery', () => {
  // Attack: a form on another site posting to claimgate in the member's browser (login CSRF, forced claim, forced sign-out).
  it.each([['/login'], ['/logout'], ['/claim/code'], ['/claim/flow/terms']])('forged form: POST %s without a token is refused with 403 and a page', async (path) => {
    const res = await request(h.app).post(path).type('form').send({ identifier: 'x', password: 'y', accept: 'yes' });
    expect(res.status).toBe(403);
    expect(res.text).toContain('csrf_invalid');
  });

  // Attack: a cross-site JSON or text/plain body, which a plain HTML form can also send.
  it('forged body type: JSON and text/plain posts without a token are refused', async () => {
    const agent = newAgent(h.app);
    await agent.get('/login').expect(200);
    await agent.post('/login').set('Content-Type', 'application/json').send(JSON.stringify({ identifier: 'x', password: 'y' })).expect(403);
    await agent.post('/login').set('Content-Type', 'text/plain').send('identifier=x&password=y').expect(403);
  });

  // Attack: filling the append-only audit table with token-less POSTs (each refusal used to write a row).
  it('audit flooding: token-less POSTs from one client write at most 10 rows and one summary per window', async () => {
    const flood = await startHarness({ trustProxy: true });
    try {
      const ip = { 'X-Forwarded-For': '198.51.100.23' };
      for (let i = 0; i < 40; i++) await request(flood.app).post('/login').set(ip).type('form').send({ identifier: 'x', password: 'y' }).expect(403);
      await request(flood.app).post('/login').set({ 'X-Forwarded-For': '198.51.100.24' }).type('form').send({}).expect(403);
      const { db } = flood.runtime;
      // The refusal is answered before its row is written: wait for the other client's row, the last one sent.
      const otherClient = () => db.source.manager.countBy(db.entities.AuditEvent, { event: 'request.csrf_rejected', ip: '198.51.100.24' });
      for (let waited = 0; (await otherClient()) === 0 && waited < 3000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await otherClient()).toBe(1);
      const rows = await db.source.manager.findBy(db.entities.AuditEvent, { event: 'request.csrf_rejected', ip: '198.51.100.23' });
      expect(rows).toHaveLength(11);
      expect(rows.filter((row) => JSON.parse(row.details).suppressed === true)).toHaveLength(1);
    } finally {
      await flood.close();
    }
  });

  // Attack: an attacker's own valid token replayed in the victim's session.
  it('token transplant: a token from another session is refused, and the refusal is audited', async () => {
    const invited = await invite(h.runtime);
    const attacker = newAgent(h.app);
    const token = csrfFrom((await attacker.get('/login')).text);
    const victim = newAgent(h.app);
    await victim.get(claimPath(invited.claimUrl)).expect(200);
    await victim.post(claimPath(invited.claimUrl)).type('form').send({ _csrf: token }).expect(403);
    const { db } = h.runtime;
    expect(await db.source.manager.countBy(db.entities.AuditEvent, { event: 'request.csrf_rejected' })).toBeGreaterThan(0);
  });

  // Attack: a step posted mid-claim from another site, with the member's cookie but no token.
  it('forged step: a claim step without its token changes nothing', async () => {
    const invited = await invite(h.runtime);
    const agent = newAgent(h.app);
    await startClaim(agent, invited.claimUrl);
    await agent.post('/claim/flow/terms').type('form').send({ accept: 'yes' }).expect(403);
    await agent.get('/claim/flow').expect(303).expect('location', '/claim/flow/terms');
  });

  // Attack: signing the victim into the attacker's account (login CSRF) with a token from a pre-fetched page.
  it('login CSRF: a token from a page fetched in another browser does not sign this one in', async () => {
    const invited = await invite(h.runtime);
    await claimAll(newAgent(h.app), invited.claimUrl);
    const attacker = newAgent(h.app);
    const token = csrfFrom((await attacker.get('/login')).text);
    const victim = newAgent(h.app);
    await victim.get('/login').expect(200);
    await victim.post('/login').type('form').send({ _csrf: token, identifier: invited.email, password: GOOD_PASSWORD }).expect(403);
    await victim.get('/').expect(303);
  });
});
