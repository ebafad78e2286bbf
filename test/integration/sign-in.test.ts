import { IsNull } from 'typeorm';
import { csrfFrom, newAgent, type Agent } from '../support/browser-agent.js';
import { acceptTerms, claimAll, GOOD_PASSWORD, invite } from '../support/claim-walk.js';
import { startHarness, type Harness } from '../support/harness.js';
import { deactivateMember } from '../../src/members/deactivate.js';

let h: Harness;
let email: string;
let memberId: string;

beforeAll(async () => {
  h = await startHarness();
  const invited = await invite(h.runtime, 'grace@example.com', 'Grace H');
  email = invited.email;
  memberId = invited.id;
  await claimAll(newAgent(h.app), invited.claimUrl);
});
afterAll(() => h.close());

async function signIn(agent: Agent, identifier: string, password: string, returnTo?: string) {
  const token = csrfFrom((await agent.get('/login')).text);
  return agent.post('/login').type('form').send({ _csrf: token, identifier, password, ...(returnTo ? { returnTo } : {}) });
}

function cookieOf(res: { headers: Record<string, unknown> }): string {
  const cookies = res.headers['set-cookie'] as string[] | undefined;
  return cookies?.find((c) => c.startsWith('claimgate.sid=')) ?? '';
}

describe('sign-in and sessions', () => {
  it('signs a claimed member in with their email in any letter case and shows who they are', async () => {
    const agent = newAgent(h.app);
    const res = await signIn(agent, email.toUpperCase(), GOOD_PASSWORD);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
    const home = await agent.get('/').expect(200);
    expect(home.text).toContain(email);
  });

  it('sets HttpOnly, SameSite=Lax session cookies (not Secure on plain http)', async () => {
    const res = await signIn(newAgent(h.app), email, GOOD_PASSWORD);
    const cookie = cookieOf(res);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
  });

  // Attack: account enumeration through different answers for unknown names and wrong passwords.
  it('answers an unknown name, a wrong password and an unclaimed member identically', async () => {
    const unclaimed = await invite(h.runtime);
    const strip = (text: string) => text.replace(/value="[0-9a-f]{40,}"/g, '').replace(/value="[^"]*@[^"]*"/g, '');
    const answers = await Promise.all([
      signIn(newAgent(h.app), 'nobody@example.com', GOOD_PASSWORD),
      signIn(newAgent(h.app), email, 'wrong password, long enough'),
      signIn(newAgent(h.app), unclaimed.email, GOOD_PASSWORD),
    ]);
    for (const answer of answers) {
      expect(answer.status).toBe(401);
      expect(strip(answer.text)).toBe(strip(answers[0]!.text));
    }
    const { db } = h.runtime;
    expect(await db.source.manager.countBy(db.entities.AuditEvent, { event: 'login.failed' })).toBeGreaterThanOrEqual(3);
  });

  // Attack: online password guessing against one account from one address.
  it('throttles repeated failures for a name and address, and audits it', async () => {
    const target = await invite(h.runtime, 'throttled@example.com');
    await claimAll(newAgent(h.app), target.claimUrl);
    const agent = newAgent(h.app);
    for (let i = 0; i < 10; i++) expect((await signIn(agent, target.email, `guess number ${i} abcdef`)).status).toBe(401);
    const blocked = await signIn(agent, target.email, GOOD_PASSWORD);
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain('Too many attempts');
    const { db } = h.runtime;
    const rows = await db.source.manager.findBy(db.entities.AuditEvent, { event: 'login.failed', memberId: IsNull() });
    expect(rows.some((row) => row.details.includes('throttled'))).toBe(true);
  });

  // Attack: guesses sent in parallel so that none is counted before the password check.
  it('counts every attempt before the password is checked, so parallel guesses are throttled too', async () => {
    const target = await invite(h.runtime, 'parallel@example.com');
    await claimAll(newAgent(h.app), target.claimUrl);
    const agent = newAgent(h.app);
    const token = csrfFrom((await agent.get('/login')).text);
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) =>
      agent.post('/login').type('form').send({ _csrf: token, identifier: target.email, password: `parallel guess ${i}` })));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(10);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(20);
  });

  it('asks for the missing fields instead of calling an empty form a wrong password', async () => {
    const agent = newAgent(h.app);
    const token = csrfFrom((await agent.get('/login')).text);
    const res = await agent.post('/login').type('form').send({ _csrf: token, identifier: '', password: '' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Enter your email or username.');
    expect(res.text).toContain('Enter your password.');
  });

  // Attack: session fixation: an id planted before sign-in stays valid after it.
  it('issues a new session id at sign-in', async () => {
    const agent = newAgent(h.app);
    const before = cookieOf(await agent.get('/login'));
    const after = cookieOf(await signIn(agent, email, GOOD_PASSWORD));
    expect(before).not.toBe('');
    expect(after).not.toBe('');
    expect(after.split(';')[0]).not.toBe(before.split(';')[0]);
  });

  // Attack: replaying a stolen cookie after the member signed out.
  it('sign-out ends the session in the store, so the old cookie is worthless', async () => {
    const agent = newAgent(h.app);
    const cookie = cookieOf(await signIn(agent, email, GOOD_PASSWORD)).split(';')[0]!;
    const home = await agent.get('/').expect(200);
    await agent.post('/logout').type('form').send({ _csrf: csrfFrom(home.text) }).expect(303);
    const replay = await newAgent(h.app).get('/').set('Cookie', cookie);
    expect(replay.status).toBe(303);
    expect(replay.headers.location).toMatch(/^\/login/);
    expect((await agent.get('/login?signedOut=1').expect(200)).text).toContain('You have signed out.');
    const { db } = h.runtime;
    expect(await db.source.manager.countBy(db.entities.AuditEvent, { event: 'session.ended', memberId })).toBeGreaterThanOrEqual(1);
  });

  it('ends a session after the idle timeout and after the absolute timeout', async () => {
    const idle = newAgent(h.app);
    await signIn(idle, email, GOOD_PASSWORD);
    h.advance(h.config.session.idleTimeout + 1000);
    try {
      await idle.get('/').expect(303);
    } finally {
      h.advance(-(h.config.session.idleTimeout + 1000));
    }

    const busy = newAgent(h.app);
    await signIn(busy, email, GOOD_PASSWORD);
    const step = h.config.session.idleTimeout / 2;
    let moved = 0;
    try {
      while (moved + step < h.config.session.absoluteTimeout) {
        await busy.get('/').expect(200);
        h.advance(step);
        moved += step;
      }
      const rest = h.config.session.absoluteTimeout - moved + 1000;
      h.advance(rest);
      moved += rest;
      await busy.get('/').expect(303);
    } finally {
      h.advance(-moved);
    }
  });

  it('returns to a path on this host after sign-in, never to another site', async () => {
    expect((await signIn(newAgent(h.app), email, GOOD_PASSWORD, '/reports?q=1')).headers.location).toBe('/reports?q=1');
    expect((await signIn(newAgent(h.app), email, GOOD_PASSWORD, '//evil.example/x')).headers.location).toBe('/');
    expect((await signIn(newAgent(h.app), email, GOOD_PASSWORD, 'https://evil.example/')).headers.location).toBe('/');
  });

  it('sends anonymous HTML requests to sign-in and API requests a 401 JSON', async () => {
    const html = await newAgent(h.app).get('/');
    expect(html.status).toBe(303);
    expect(html.headers.location).toBe('/login?returnTo=%2F');
    const api = await newAgent(h.app).get('/').set('Accept', 'application/json');
    expect(api.status).toBe(401);
    expect(api.body.error.code).toBe('not_signed_in');
  });

  it('asks for the new terms at the next sign-in when the version changes', async () => {
    const terms = h.runtime.config.firstAccess.terms;
    const previous = terms.version;
    terms.version = '2026-02';
    try {
      const agent = newAgent(h.app);
      const res = await signIn(agent, email, GOOD_PASSWORD);
      expect(res.headers.location).toBe('/claim/flow/terms');
      await agent.get('/').expect(303);
      const accepted = await acceptTerms(agent);
      expect(accepted.headers.location).toBe('/');
      await agent.get('/').expect(200);
      const { db } = h.runtime;
      const versions = (await db.source.manager.findBy(db.entities.TermsAcceptance, { memberId })).map((row) => row.version).sort();
      expect(versions).toEqual(['2026-01', '2026-02']);
      expect((await signIn(newAgent(h.app), email, GOOD_PASSWORD)).headers.location).toBe('/');
    } finally {
      terms.version = previous;
    }
  });
});

describe('deactivation', () => {
  let h2: Harness;
  beforeAll(async () => {
    h2 = await startHarness();
  });
  afterAll(() => h2.close());

  // Attack: a departed employee keeping access through an open session or a stale link.
  it('ends the signed-in session at its next request, refuses sign-in, and kills open invitations', async () => {
    const claimed = await invite(h2.runtime, 'leaver@example.com');
    const agent = newAgent(h2.app);
    await claimAll(agent, claimed.claimUrl);
    await agent.get('/').expect(200);
    const pending = await invite(h2.runtime, 'never-started@example.com');

    await deactivateMember(h2.runtime, claimed.id, 'test');
    await deactivateMember(h2.runtime, pending.id, 'test');
    await agent.get('/').expect(303);
    const token = csrfFrom((await agent.get('/login')).text);
    expect((await agent.post('/login').type('form').send({ _csrf: token, identifier: claimed.email, password: GOOD_PASSWORD })).status).toBe(401);
    await newAgent(h2.app).get(new URL(pending.claimUrl).pathname).expect(404);
    const { db } = h2.runtime;
    expect(await db.source.manager.countBy(db.entities.AuditEvent, { event: 'member.deactivated' })).toBe(2);
  });
});

describe('https deployments', () => {
  it('use a __Host- cookie with the Secure flag', async () => {
    const secure = await startHarness({ baseUrl: 'https://claimgate.test', trustProxy: true });
    try {
      const res = await newAgent(secure.app).get('/login').set('X-Forwarded-Proto', 'https');
      const cookie = (res.headers['set-cookie'] as unknown as string[] | undefined)?.[0] ?? '';
      expect(cookie).toMatch(/^__Host-claimgate=/);
      expect(cookie).toMatch(/Secure/);
      expect(cookie).toMatch(/Path=\//);
      expect(cookie).not.toMatch(/Domain=/);
    } finally {
      await secure.close();
    }
  });
});
