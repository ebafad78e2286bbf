import { csrfFrom, newAgent, tokenFor, type Agent } from '../support/browser-agent.js';
import { claimAll, claimWithCode, enterCode, GOOD_PASSWORD, invite } from '../support/claim-walk.js';
import { startHarness, type Harness } from '../support/harness.js';
import { mailsTo } from '../support/outbox.js';
import { deactivateMember } from '../../src/members/deactivate.js';
import { inviteByEmployeeId } from '../../src/members/invite-employee.js';
import { issueRecoveryCode } from '../../src/recovery/codes.js';

const NEW_PASSWORD = 'new violet kettle morning';
let h: Harness;
let serial = 0;

beforeAll(async () => {
  h = await startHarness({ trustProxy: true, recovery: { answerTime: '20ms' }, claim: { accessCodeLimits: { perIp: 10, perIpWindow: '10m', perMember: 5, global: 1000 } } });
});
afterAll(() => h.close());

/** Each request from its own address, so the per-address brakes do not decide what a test looks at. */
function from(agent: Agent) {
  const ip = `10.9.${Math.floor(++serial / 250)}.${serial % 250}`;
  return { get: (path: string) => agent.get(path).set('X-Forwarded-For', ip), post: (path: string) => agent.post(path).set('X-Forwarded-For', ip), head: (path: string) => agent.head(path).set('X-Forwarded-For', ip) };
}

async function claimedMember(email = `rec${++serial}-${Date.now()}@example.com`) {
  const invited = await invite(h.runtime, email, 'Recovering Member');
  const agent = newAgent(h.app);
  await claimAll(agent, invited.claimUrl);
  return { id: invited.id, email, agent };
}

async function askForLink(email: string, agent = newAgent(h.app)) {
  const client = from(agent);
  const token = csrfFrom((await client.get('/recover').expect(200)).text);
  return client.post('/recover').type('form').send({ _csrf: token, email });
}

/** The newest recovery link mailed to `email` (the mail leaves after the answer, so it is waited for). */
async function newestLink(email: string, count = 1): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const links = mailsTo(h.dataDir, email).flatMap((mail) => [...mail.matchAll(/http:\/\/claimgate\.test(\/recover\/[0-9a-f]{32}[A-Za-z0-9_-]{43})/g)].map((m) => m[1]!));
    if (new Set(links).size >= count) return links[links.length - 1]!;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no recovery mail to ${email}`);
}

async function chooseNewPassword(path: string, password = NEW_PASSWORD, agent = newAgent(h.app)) {
  const client = from(agent);
  const page = await client.get(path);
  if (page.status !== 200) return page;
  return client.post(path).type('form').send({ _csrf: csrfFrom(page.text), password, confirm: password });
}

async function signIn(identifier: string, password: string) {
  const agent = newAgent(h.app);
  const client = from(agent);
  const token = csrfFrom((await client.get('/login').expect(200)).text);
  return client.post('/login').type('form').send({ _csrf: token, identifier, password });
}

const stripVolatile = (html: string) => html.replace(/Reference: <code>[^<]*<\/code>/, '');

describe('forgot password', () => {
  it('mails a link that sets a new password, signs the member in under a new session id, and the old password stops working', async () => {
    const member = await claimedMember();
    expect((await signIn(member.email, GOOD_PASSWORD)).status).toBe(303);
    const login = await newAgent(h.app).get('/login').expect(200);
    expect(login.text).toContain('href="/recover"');

    expect((await askForLink(member.email)).status).toBe(200);
    const path = await newestLink(member.email);
    const browser = newAgent(h.app);
    const before = await from(browser).get(path).expect(200);
    const sidBefore = (before.headers['set-cookie'] as unknown as string[] | undefined)?.find((c) => c.startsWith('claimgate.sid='));
    const done = await from(browser).post(path).type('form').send({ _csrf: csrfFrom(before.text), password: NEW_PASSWORD, confirm: NEW_PASSWORD });
    expect(done.status).toBe(303);
    const sidAfter = (done.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('claimgate.sid='));
    expect(sidAfter).toBeDefined();
    expect(sidAfter).not.toBe(sidBefore);
    expect((await browser.get('/').expect(200)).text).toContain(member.email);
    // Attack: a session an attacker holds with the old password outlives the reset.
    const elsewhere = await member.agent.get('/');
    expect(elsewhere.status).toBe(303);
    expect(elsewhere.headers.location).toMatch(/^\/login/);

    expect((await signIn(member.email, GOOD_PASSWORD)).status).toBe(401);
    expect((await signIn(member.email, NEW_PASSWORD)).status).toBe(303);
    const { db } = h.runtime;
    const events = (await db.source.manager.findBy(db.entities.AuditEvent, { memberId: member.id })).map((row) => row.event);
    expect(events).toEqual(expect.arrayContaining(['recovery.requested', 'recovery.link_opened', 'recovery.completed']));
    // Only the random id is stored: the token's MAC is in no column.
    const [row] = await db.source.manager.findBy(db.entities.RecoveryLink, { memberId: member.id });
    expect(path).toContain(row!.id);
    expect(JSON.stringify(row)).not.toContain(path.slice(-43));
  });

  // Attack: a mail scanner (or a preview) opening the link uses it up before the member can.
  it('changes nothing on HEAD and GET: a scanner opening the link twice leaves it working for the member', async () => {
    const member = await claimedMember();
    await askForLink(member.email);
    const path = await newestLink(member.email);
    const scanner = newAgent(h.app);
    await from(scanner).head(path).expect(200);
    await from(scanner).get(path).expect(200);
    await from(scanner).get(path).expect(200);
    expect((await chooseNewPassword(path)).status).toBe(303);
  });

  // Attack: a weak password chosen through the recovery door that the claim would refuse.
  it('applies the claim password policy and keeps the link usable after a refused password', async () => {
    const member = await claimedMember();
    await askForLink(member.email);
    const path = await newestLink(member.email);
    const refused = await chooseNewPassword(path, 'short');
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('Use at least 12 characters.');
    expect((await chooseNewPassword(path)).status).toBe(303);
  });

  // Attack: replaying a used link, an expired one, one superseded by a newer request, or a forged one.
  it('refuses a used, an expired, a superseded and a bit-flipped link with the same page', async () => {
    const used = await claimedMember();
    await askForLink(used.email);
    const usedPath = await newestLink(used.email);
    expect((await chooseNewPassword(usedPath)).status).toBe(303);

    const superseded = await claimedMember();
    await askForLink(superseded.email);
    const olderPath = await newestLink(superseded.email);
    await askForLink(superseded.email);
    const newerPath = await newestLink(superseded.email, 2);
    expect(newerPath).not.toBe(olderPath);
    // Superseding killed only the older link.
    await from(newAgent(h.app)).get(newerPath).expect(200);

    const flipped = await claimedMember();
    await askForLink(flipped.email);
    const flippedSource = await newestLink(flipped.email);
    const last = flippedSource.at(-2)!;
    const flippedPath = `${flippedSource.slice(0, -2)}${last === 'A' ? 'B' : 'A'}${flippedSource.at(-1)}`;

    const expired = await claimedMember();
    await askForLink(expired.email);
    const expiredPath = await newestLink(expired.email);
    h.advance(60 * 60 * 1000 + 1000);

    const answers = [];
    for (const path of [usedPath, olderPath, flippedPath, expiredPath]) {
      const page = await from(newAgent(h.app)).get(path);
      answers.push(page);
      const agent = newAgent(h.app);
      const login = await from(agent).get('/login');
      const posted = await from(agent).post(path).type('form').send({ _csrf: csrfFrom(login.text), password: NEW_PASSWORD, confirm: NEW_PASSWORD });
      answers.push(posted);
    }
    for (const answer of answers) {
      expect(answer.status).toBe(404);
      expect(stripVolatile(answer.text)).toBe(stripVolatile(answers[0]!.text));
    }
    expect(answers[0]!.text).toContain('recovery_link_invalid');
    // The flipped link's member still has a usable password: nothing was written.
    expect((await signIn(flipped.email, GOOD_PASSWORD)).status).toBe(303);
    const { db } = h.runtime;
    expect(await db.source.manager.countBy(db.entities.AuditEvent, { event: 'recovery.link_refused' })).toBeGreaterThanOrEqual(8);
  });

  // Attack: account enumeration through the forgot-password answer.
  it('answers unknown, SSO, deactivated, not yet claimed and real accounts with the same status and body, and mails only the real one', async () => {
    const real = await claimedMember();
    const sso = await claimedMember();
    await h.runtime.db.source.manager.update(h.runtime.db.entities.Member, { id: sso.id }, { loginMethod: 'sso' });
    const gone = await claimedMember();
    await deactivateMember(h.runtime, gone.id, 'test');
    const invited = await invite(h.runtime, `unclaimed${Date.now()}@example.com`);
    const unknown = `nobody${Date.now()}@example.com`;
    const answers = [];
    for (const email of [unknown, sso.email, gone.email, invited.email, real.email, 'not an email']) answers.push(await askForLink(email));
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.text).toBe(answers[0]!.text);
    }
    await newestLink(real.email);
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const email of [unknown, sso.email, gone.email, invited.email]) {
      expect(mailsTo(h.dataDir, email).filter((mail) => mail.includes('/recover/'))).toHaveLength(0);
    }
  });

  // Attack: mail bombing one account, and one address spraying requests.
  it('sends at most the per-account limit of mails with the same answer after it, and throttles an address', async () => {
    const member = await claimedMember();
    for (let i = 0; i < 5; i++) expect((await askForLink(member.email)).status).toBe(200);
    await newestLink(member.email, 3);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(mailsTo(h.dataDir, member.email).filter((mail) => mail.includes('/recover/'))).toHaveLength(3);

    const agent = newAgent(h.app);
    const statuses = [];
    for (let i = 0; i < 11; i++) {
      const token = await tokenFor(agent, '/recover');
      statuses.push((await agent.post('/recover').set('X-Forwarded-For', '10.99.0.1').type('form').send({ _csrf: token, email: `spray${i}@example.com` })).status);
    }
    expect(statuses.slice(0, 10).every((status) => status === 200)).toBe(true);
    expect(statuses[10]).toBe(429);
  });
});

describe('recovery codes', () => {
  async function claimedWithoutEmail() {
    const employeeId = `R${Date.now()}${++serial}`;
    const invited = await inviteByEmployeeId(h.runtime, { employeeId, name: 'No Mail', actorId: 'test' });
    const username = `nomail${serial}${Date.now() % 100000}`;
    const agent = newAgent(h.app);
    await claimWithCode(agent, employeeId, invited.accessCode, username);
    return { id: invited.id, employeeId, username, agent };
  }

  it('lets a member without email set a new password with employee ID and recovery code, then sign in with their username', async () => {
    const member = await claimedWithoutEmail();
    const issued = await issueRecoveryCode(h.runtime, member.id, 'test');
    expect(issued.recoveryCode).toMatch(/^[A-Z]{4}-[A-Z]{4}-[A-Z]{4}-[A-Z]{4}$/);
    const agent = newAgent(h.app);
    const started = await enterCode(agent, member.employeeId, issued.recoveryCode.toLowerCase(), { 'X-Forwarded-For': '10.8.0.1' });
    expect(started.status).toBe(303);
    expect(started.headers.location).toBe('/claim/flow/password');
    const page = await agent.get('/claim/flow/password').expect(200);
    expect(page.text).toContain('Step 1 of 1');
    const done = await agent.post('/claim/flow/password').type('form').send({ _csrf: csrfFrom(page.text), password: NEW_PASSWORD, confirm: NEW_PASSWORD }).expect(200);
    expect(done.text).toContain(member.username);
    expect(done.text).toContain('href="/login"');
    expect((await member.agent.get('/')).status).toBe(303);
    expect((await signIn(member.username, GOOD_PASSWORD)).status).toBe(401);
    expect((await signIn(member.username, NEW_PASSWORD)).status).toBe(303);
    // Single use.
    const again = await enterCode(newAgent(h.app), member.employeeId, issued.recoveryCode, { 'X-Forwarded-For': '10.8.0.2' });
    expect(again.status).toBe(400);
  });

  // Attack: guessing a recovery code, which must be exactly as hard as guessing an access code.
  it('locks a recovery code after the same number of wrong codes as an access code, with the same answers', async () => {
    const member = await claimedWithoutEmail();
    const issued = await issueRecoveryCode(h.runtime, member.id, 'test');
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await enterCode(newAgent(h.app), member.employeeId, 'ABCD-EFGH-JKMN-PQRS', { 'X-Forwarded-For': `10.7.0.${i + 1}` })).status);
    }
    expect(statuses).toEqual([400, 400, 400, 400, 429]);
    const locked = await enterCode(newAgent(h.app), member.employeeId, issued.recoveryCode, { 'X-Forwarded-For': '10.7.0.9' });
    expect(locked.status).toBe(429);
    expect(locked.text).toContain('code is locked');
    const { db } = h.runtime;
    expect(await db.source.manager.countBy(db.entities.AuditEvent, { event: 'claim.code_locked', memberId: member.id })).toBe(1);
  });

  // Attack: an expired or replaced recovery code still opening a recovery.
  it('refuses an expired and a replaced recovery code with the answer of a wrong code', async () => {
    const member = await claimedWithoutEmail();
    const older = await issueRecoveryCode(h.runtime, member.id, 'test');
    await issueRecoveryCode(h.runtime, member.id, 'test');
    const replaced = await enterCode(newAgent(h.app), member.employeeId, older.recoveryCode, { 'X-Forwarded-For': '10.6.0.1' });
    const wrong = await enterCode(newAgent(h.app), member.employeeId, 'ABCD-EFGH-JKMN-PQRS', { 'X-Forwarded-For': '10.6.0.2' });
    const current = await issueRecoveryCode(h.runtime, member.id, 'test');
    h.advance(7 * 24 * 3600 * 1000 + 1000);
    const expired = await enterCode(newAgent(h.app), member.employeeId, current.recoveryCode, { 'X-Forwarded-For': '10.6.0.3' });
    const strip = (text: string) => text.replace(/value="[^"]*"/g, '');
    for (const answer of [replaced, expired]) {
      expect(answer.status).toBe(wrong.status);
      expect(strip(answer.text)).toBe(strip(wrong.text));
    }
  });
});

describe('recovery switched off', () => {
  // Attack: a door the operator closed still open (an old link or the request page answering).
  it('answers 404 on the recovery pages and shows no link on the sign-in page', async () => {
    const off = await startHarness({ recovery: { enabled: false } });
    try {
      const agent = newAgent(off.app);
      expect((await agent.get('/login').expect(200)).text).not.toContain('href="/recover"');
      await agent.get('/recover').expect(404);
      await agent.get(`/recover/${'a'.repeat(32)}${'b'.repeat(43)}`).expect(404);
    } finally {
      await off.close();
    }
  });
});
