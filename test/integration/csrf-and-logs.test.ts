import { claimPath, csrfFrom, newAgent } from '../support/browser-agent.js';
import { claimAll, GOOD_PASSWORD, invite, startClaim } from '../support/claim-walk.js';
import { startHarness, type Harness } from '../support/harness.js';
import { Like } from 'typeorm';
import { NAMESPACES } from '../../src/store/namespaces.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('CSRF', () => {
  // Attack: a cross-site form that starts a claim or submits a step in the victim's browser.
  it('refuses a POST without a valid token, with a readable page, and audits it', async () => {
    const invited = await invite(h.runtime);
    const agent = newAgent(h.app);
    await agent.get(claimPath(invited.claimUrl)).expect(200);
    const missing = await agent.post(claimPath(invited.claimUrl)).type('form').send({});
    expect(missing.status).toBe(403);
    expect(missing.text).toContain('csrf_invalid');
    const forged = await agent.post(claimPath(invited.claimUrl)).type('form').send({ _csrf: 'forged-token' });
    expect(forged.status).toBe(403);

    await startClaim(agent, invited.claimUrl);
    await agent.post('/claim/flow/terms').type('form').send({ accept: 'yes' }).expect(403);
    await agent.get('/claim/flow').expect(303).expect('location', '/claim/flow/terms');

    const { db } = h.runtime;
    expect(await db.source.manager.countBy(db.entities.AuditEvent, { event: 'request.csrf_rejected' })).toBeGreaterThanOrEqual(3);
  });

  // Attack: using one browser's token from another session.
  it('refuses a token that belongs to another session', async () => {
    const invited = await invite(h.runtime);
    const victim = newAgent(h.app);
    const attacker = newAgent(h.app);
    const attackerToken = csrfFrom((await attacker.get('/login')).text);
    await victim.get(claimPath(invited.claimUrl)).expect(200);
    await victim.post(claimPath(invited.claimUrl)).type('form').send({ _csrf: attackerToken }).expect(403);
  });

  it('refuses sign-out without a token (no forced logout)', async () => {
    await newAgent(h.app).post('/logout').type('form').send({}).expect(403);
  });
});

describe('logs', () => {
  // Attack: secrets harvested from log storage (tokens, passwords, session cookies).
  it('never contain a claim token, password, password hash, CSRF token or cookie value', async () => {
    const invited = await invite(h.runtime);
    const agent = newAgent(h.app);
    await claimAll(agent, invited.claimUrl);
    const home = await agent.get('/').expect(200);
    const csrf = csrfFrom(home.text);
    await agent.post('/logout').type('form').send({ _csrf: csrf }).expect(303);
    const login = newAgent(h.app);
    const token = csrfFrom((await login.get('/login')).text);
    const signedIn = await login.post('/login').type('form').send({ _csrf: token, identifier: invited.email, password: GOOD_PASSWORD }).expect(303);
    await login.post('/login').type('form').send({ _csrf: token, identifier: invited.email, password: `${GOOD_PASSWORD}-wrong` });

    const cookies = [...(signedIn.headers['set-cookie'] as unknown as string[] ?? [])].map((c) => decodeURIComponent(c.split(';')[0]!.split('=')[1]!));
    const { db } = h.runtime;
    const hash = (await db.source.manager.findOneByOrFail(db.entities.Member, { id: invited.id })).passwordHash!;
    const linkToken = claimPath(invited.claimUrl).split('/').pop()!;
    const text = h.logs.join('');
    expect(text).toContain('claim.completed');
    for (const secret of [linkToken, GOOD_PASSWORD, hash, csrf, token, ...cookies]) {
      expect(secret.length).toBeGreaterThan(10);
      expect(text).not.toContain(secret);
    }
    const sessionIds = cookies.map((c) => c.replace(/^s:/, '').split('.')[0]!);
    for (const sid of sessionIds) expect(text).not.toContain(sid);
  });

  // Attack: a token in an odd-case path slipping past the log redaction.
  it('serves claim paths case-sensitively and keeps tokens out of the log whatever the case', async () => {
    const invited = await invite(h.runtime);
    const token = claimPath(invited.claimUrl).split('/').pop()!;
    await newAgent(h.app).get(`/CLAIM/${token}`).expect(404);
    await newAgent(h.app).get(`/Claim/${token}`).expect(404);
    expect(h.logs.join('')).not.toContain(token);
  });

  // Attack: filling the session store with anonymous requests.
  it('starts no session for an anonymous visitor who only gets an error page', async () => {
    const { db } = h.runtime;
    const sessionsBefore = h.runtime.redis ? (await h.runtime.redis.keys(`${h.config.redis.prefix}sess:*`)).length : await db.source.manager.countBy(db.entities.ShortLived, { key: Like(`${NAMESPACES.sessions}%`) });
    for (let i = 0; i < 5; i++) {
      const res = await newAgent(h.app).get(`/no-such-page-${i}`);
      expect(res.status).toBe(404);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    const sessionsAfter = h.runtime.redis ? (await h.runtime.redis.keys(`${h.config.redis.prefix}sess:*`)).length : await db.source.manager.countBy(db.entities.ShortLived, { key: Like(`${NAMESPACES.sessions}%`) });
    expect(sessionsAfter).toBe(sessionsBefore);
  });

  // Attack: forging a log line through user-controlled text (a newline in a header or field).
  it('keeps every log entry on one JSON line whatever the client sends', async () => {
    const invited = await invite(h.runtime);
    const agent = newAgent(h.app);
    await startClaim(agent, invited.claimUrl);
    const token = csrfFrom((await agent.get('/claim/flow/terms')).text);
    const crafted = encodeURIComponent('terms\n{"level":"info","msg":"forged"}');
    await agent.post(`/claim/flow/${crafted}`).type('form').send({ _csrf: token }).expect(409);
    await agent.get('/login').set('X-Request-Id', 'id"},"msg":"forged').expect(200);
    const lines = h.logs.join('').split('\n').filter(Boolean);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(lines.some((line) => JSON.parse(line).msg === 'forged')).toBe(false);
  });
});
