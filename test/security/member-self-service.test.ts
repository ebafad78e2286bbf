import { csrfFrom, newAgent, type Agent } from '../support/browser-agent.js';
import { claimAll, GOOD_PASSWORD, invite } from '../support/claim-walk.js';
import { startHarness, type Harness } from '../support/harness.js';
import { listMemberSessions, sessionHandle } from '../../src/session/member-sessions.js';

const NEW_PASSWORD = 'a brand new passphrase for work';
const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

async function signIn(identifier: string, password: string, userAgent = FIREFOX): Promise<{ agent: Agent; status: number }> {
  const agent = newAgent(h.app);
  const token = csrfFrom((await agent.get('/login').set('User-Agent', userAgent)).text);
  const res = await agent.post('/login').set('User-Agent', userAgent).type('form').send({ _csrf: token, identifier, password });
  return { agent, status: res.status };
}

async function claimed(email: string): Promise<{ agent: Agent; id: string }> {
  const invited = await invite(h.runtime, email);
  const agent = newAgent(h.app);
  await claimAll(agent, invited.claimUrl);
  return { agent, id: invited.id };
}

async function formToken(agent: Agent, path: string): Promise<string> {
  return csrfFrom((await agent.get(path).expect(200)).text);
}

async function auditCount(event: string, memberId: string): Promise<number> {
  const { db } = h.runtime;
  return db.source.manager.countBy(db.entities.AuditEvent, { event, memberId });
}

describe('changing one\'s password', () => {
  // Attack: someone who took over one session (or knows the old password) staying in after the owner changes it.
  it('needs the current password, then ends every other session, and the old password stops working', async () => {
    const { agent, id } = await claimed('change@example.com');
    const laptop = await signIn('change@example.com', GOOD_PASSWORD);
    expect(laptop.status).toBe(303);
    const home = await agent.get('/_claimgate/me').expect(200);
    expect(home.text).toContain('href="/_claimgate/account/password"');

    let token = await formToken(agent, '/_claimgate/account/password');
    const wrong = await agent.post('/_claimgate/account/password').type('form').send({ _csrf: token, current: 'not my password at all', password: NEW_PASSWORD, confirm: NEW_PASSWORD });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('Your current password is not right.');
    expect(await auditCount('member.password_change_failed', id)).toBe(1);

    token = await formToken(agent, '/_claimgate/account/password');
    const weak = await agent.post('/_claimgate/account/password').type('form').send({ _csrf: token, current: GOOD_PASSWORD, password: 'short', confirm: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.text).toContain('Use at least 12 characters.');

    token = await formToken(agent, '/_claimgate/account/password');
    const done = await agent.post('/_claimgate/account/password').type('form').send({ _csrf: token, current: GOOD_PASSWORD, password: NEW_PASSWORD, confirm: NEW_PASSWORD }).expect(303);
    expect(done.headers.location).toBe('/_claimgate/account/sessions?done=password&ended=1');
    await agent.get('/_claimgate/me').expect(200);
    await laptop.agent.get('/_claimgate/me').expect(303);
    expect((await signIn('change@example.com', GOOD_PASSWORD)).status).toBe(401);
    expect((await signIn('change@example.com', NEW_PASSWORD)).status).toBe(303);
    expect(await auditCount('member.password_changed', id)).toBe(1);
    const { db } = h.runtime;
    const hash = (await db.source.manager.findOneByOrFail(db.entities.Member, { id })).passwordHash!;
    expect(hash.startsWith('$argon2id$')).toBe(true);
  });

  // Attack: guessing the current password from an unlocked, signed-in browser.
  it('throttles wrong current passwords, audits the lock-out once, and refuses even the right one meanwhile', async () => {
    const { agent, id } = await claimed('guessed@example.com');
    for (let i = 0; i < 5; i++) {
      const token = await formToken(agent, '/_claimgate/account/password');
      await agent.post('/_claimgate/account/password').type('form').send({ _csrf: token, current: `guess number ${i}`, password: NEW_PASSWORD, confirm: NEW_PASSWORD }).expect(400);
    }
    for (let i = 0; i < 2; i++) {
      const token = await formToken(agent, '/_claimgate/account/password');
      const refused = await agent.post('/_claimgate/account/password').type('form').send({ _csrf: token, current: GOOD_PASSWORD, password: NEW_PASSWORD, confirm: NEW_PASSWORD });
      expect(refused.status).toBe(429);
      expect(refused.headers['retry-after']).toBeDefined();
    }
    const { db } = h.runtime;
    const rows = await db.source.manager.findBy(db.entities.AuditEvent, { event: 'member.password_change_failed', memberId: id });
    expect(rows.filter((row) => row.details.includes('throttled'))).toHaveLength(1);
    expect(rows).toHaveLength(6);
    expect((await signIn('guessed@example.com', GOOD_PASSWORD)).status).toBe(303);
  });

  // Attack: a cross-site form changing the password of a signed-in member.
  it('refuses a change without the CSRF token', async () => {
    const { agent } = await claimed('csrf-change@example.com');
    await agent.post('/_claimgate/account/password').type('form').send({ current: GOOD_PASSWORD, password: NEW_PASSWORD, confirm: NEW_PASSWORD }).expect(403);
    expect((await signIn('csrf-change@example.com', GOOD_PASSWORD)).status).toBe(303);
  });
});

describe('a member\'s list of sessions', () => {
  it('shows each session with its browser, address and times, and marks this one', async () => {
    const { agent } = await claimed('list@example.com');
    await signIn('list@example.com', GOOD_PASSWORD);
    const page = await agent.get('/_claimgate/account/sessions').expect(200);
    expect(page.text).toContain('Firefox 128 on Windows');
    expect(page.text).toContain('(this session)');
    expect(page.text.match(/name="session"/g)).toHaveLength(2);
    expect(page.text).toContain('Sign out everywhere else');
  });

  // Attack: a member reading or ending another member's sessions by their ids.
  it('lists only the member\'s own sessions, and refuses to end another member\'s session', async () => {
    const alice = await claimed('alice-sessions@example.com');
    const bob = await claimed('bob-sessions@example.com');
    const [bobSession] = await listMemberSessions(h.runtime, bob.id);
    const page = await alice.agent.get('/_claimgate/account/sessions').expect(200);
    expect(page.text).not.toContain(sessionHandle(h.runtime, bobSession!.sid));
    // Pages name sessions by a keyed handle, never by the session id itself.
    const [aliceSession] = await listMemberSessions(h.runtime, alice.id);
    expect(page.text).not.toContain(aliceSession!.sid);
    const listed = await alice.agent.get('/_claimgate/account/sessions').set('Accept', 'application/json').expect(200);
    expect((listed.body as { sessions: unknown[] }).sessions).toHaveLength(1);
    const token = csrfFrom(page.text);
    for (const guess of [sessionHandle(h.runtime, bobSession!.sid), bobSession!.sid]) {
      const refused = await alice.agent.post('/_claimgate/account/sessions/end').type('form').send({ _csrf: token, session: guess });
      expect(refused.status).toBe(404);
      expect(refused.text).toContain('session_not_found');
    }
    await bob.agent.get('/_claimgate/me').expect(200);
    await alice.agent.get('/_claimgate/me').expect(200);
  });

  // Attack: a stolen session the owner finds in the list and wants out.
  it('ends one chosen session, or every other one, and this one keeps working', async () => {
    const { agent, id } = await claimed('end-some@example.com');
    const phone = await signIn('end-some@example.com', GOOD_PASSWORD, 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1');
    const tablet = await signIn('end-some@example.com', GOOD_PASSWORD);
    const sessions = await listMemberSessions(h.runtime, id);
    const phoneSession = sessions.find((s) => s.userAgent.includes('iPhone'))!;
    let token = await formToken(agent, '/_claimgate/account/sessions');
    await agent.post('/_claimgate/account/sessions/end').type('form').send({ _csrf: token, session: sessionHandle(h.runtime, phoneSession.sid) }).expect(303);
    await phone.agent.get('/_claimgate/me').expect(303);
    await tablet.agent.get('/_claimgate/me').expect(200);
    token = await formToken(agent, '/_claimgate/account/sessions');
    await agent.post('/_claimgate/account/sessions/end-others').type('form').send({ _csrf: token }).expect(303);
    await tablet.agent.get('/_claimgate/me').expect(303);
    await agent.get('/_claimgate/me').expect(200);
    expect(await listMemberSessions(h.runtime, id)).toHaveLength(1);
    token = await formToken(agent, '/_claimgate/account/sessions');
    await agent.post('/_claimgate/account/sessions/end-others').send({}).expect(403);
  });

  it('signs out when the member ends this very session', async () => {
    const { agent, id } = await claimed('end-self@example.com');
    const [own] = await listMemberSessions(h.runtime, id);
    const token = await formToken(agent, '/_claimgate/account/sessions');
    const res = await agent.post('/_claimgate/account/sessions/end').type('form').send({ _csrf: token, session: sessionHandle(h.runtime, own!.sid) }).expect(303);
    expect(res.headers.location).toBe('/login?signedOut=1');
    await agent.get('/_claimgate/me').expect(303);
  });
});
