import { csrfFrom, newAgent, type Agent } from '../support/browser-agent.js';
import { claimAll, invite } from '../support/claim-walk.js';
import { signedInMember } from '../support/admin.js';
import { startHarness, type Harness } from '../support/harness.js';
import { mailsTo } from '../support/outbox.js';
import { deactivateMember } from '../../src/members/deactivate.js';
import { inviteByEmployeeId } from '../../src/members/invite-employee.js';
import { issueRecoveryCode } from '../../src/recovery/codes.js';
import { sendRecoveryLinkFor } from '../../src/recovery/admin.js';

const NEW_PASSWORD = 'saffron lantern under rain';
const ANSWER_TIME = 400;
let h: Harness;
let serial = 0;

beforeAll(async () => {
  h = await startHarness({
    trustProxy: true,
    recovery: { answerTime: `${ANSWER_TIME}ms`, limits: { perIp: 1000, perAccount: 50 } },
    admins: ['admin@example.com', { member: 'reader@example.com', permissions: ['accounts:read'] }],
  });
});
afterAll(() => h.close());

async function claimedMember(email = `sec${++serial}-${Date.now()}@example.com`) {
  const invited = await invite(h.runtime, email, 'Secure Member');
  await claimAll(newAgent(h.app), invited.claimUrl);
  return { id: invited.id, email };
}

async function timedRequest(email: string, agent: Agent = newAgent(h.app)): Promise<{ status: number; text: string; ms: number }> {
  const token = csrfFrom((await agent.get('/recover').expect(200)).text);
  const started = performance.now();
  const res = await agent.post('/recover').set('X-Forwarded-For', '10.20.0.1').type('form').send({ _csrf: token, email });
  return { status: res.status, text: res.text, ms: performance.now() - started };
}

async function newestLink(email: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const links = mailsTo(h.dataDir, email).flatMap((mail) => [...mail.matchAll(/http:\/\/claimgate\.test(\/recover\/[0-9a-f]{32}[A-Za-z0-9_-]{43})/g)].map((m) => m[1]!));
    if (links.length) return links[links.length - 1]!;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no recovery mail to ${email}`);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe('recovery security', () => {
  // Attack: account enumeration by timing the forgot-password answer (a real account does more work).
  it('answers every kind of account in the same timing class: at least the answer time, medians within 80 ms', async () => {
    const real = await claimedMember();
    const sso = await claimedMember();
    await h.runtime.db.source.manager.update(h.runtime.db.entities.Member, { id: sso.id }, { loginMethod: 'sso' });
    const gone = await claimedMember();
    await deactivateMember(h.runtime, gone.id, 'test');
    const invited = await invite(h.runtime, `pending${Date.now()}@example.com`);
    const classes: Record<string, string> = { unknown: `nobody${Date.now()}@example.com`, sso: sso.email, deactivated: gone.email, invited: invited.email, real: real.email };
    const times: Record<string, number[]> = {};
    const bodies = new Set<string>();
    // Interleaved, so a slow moment of the machine falls on every class alike.
    for (let round = 0; round < 7; round++) {
      for (const [name, email] of Object.entries(classes)) {
        const answer = await timedRequest(email);
        expect(answer.status).toBe(200);
        bodies.add(answer.text);
        (times[name] ??= []).push(answer.ms);
      }
    }
    expect(bodies.size).toBe(1);
    const medians = Object.fromEntries(Object.entries(times).map(([name, values]) => [name, median(values)]));
    for (const values of Object.values(times)) for (const ms of values) expect(ms).toBeGreaterThanOrEqual(ANSWER_TIME - 5);
    const spread = Math.max(...Object.values(medians)) - Math.min(...Object.values(medians));
    expect({ medians, spread: spread < 80 }).toEqual({ medians, spread: true });
  });

  // Attack: a claim link (or any other token signed for another purpose) used as a recovery link.
  it('refuses a claim link presented as a recovery link: the keys differ', async () => {
    const invited = await invite(h.runtime);
    const token = new URL(invited.claimUrl).pathname.split('/').pop()!;
    const page = await newAgent(h.app).get(`/recover/${token}`).set('X-Forwarded-For', '10.21.0.1');
    expect(page.status).toBe(404);
    expect(page.text).toContain('recovery_link_invalid');
  });

  // Attack: a link mailed before the account was deactivated or moved to SSO still sets a local password.
  it('refuses a link whose member was deactivated or moved to single sign-on after it was sent', async () => {
    const gone = await claimedMember();
    const moved = await claimedMember();
    await sendRecoveryLinkFor(h.runtime, gone.id, 'test');
    await sendRecoveryLinkFor(h.runtime, moved.id, 'test');
    const gonePath = await newestLink(gone.email);
    const movedPath = await newestLink(moved.email);
    await deactivateMember(h.runtime, gone.id, 'test');
    await h.runtime.db.source.manager.update(h.runtime.db.entities.Member, { id: moved.id }, { loginMethod: 'sso' });
    for (const path of [gonePath, movedPath]) expect((await newAgent(h.app).get(path).set('X-Forwarded-For', '10.22.0.1')).status).toBe(404);
    const member = await h.runtime.db.source.manager.findOneBy(h.runtime.db.entities.Member, { id: moved.id });
    expect(member!.loginMethod).toBe('sso');
  });

  // Attack: cross-site request forgery setting a victim's new password from a link the attacker does not hold.
  it('refuses the new-password POST without the form\'s CSRF token and leaves the link usable', async () => {
    const member = await claimedMember();
    await sendRecoveryLinkFor(h.runtime, member.id, 'test');
    const path = await newestLink(member.email);
    const forged = await newAgent(h.app).post(path).set('X-Forwarded-For', '10.23.0.1').type('form').send({ password: NEW_PASSWORD, confirm: NEW_PASSWORD });
    expect(forged.status).toBe(403);
    const agent = newAgent(h.app);
    const page = await agent.get(path).set('X-Forwarded-For', '10.23.0.1').expect(200);
    await agent.post(path).set('X-Forwarded-For', '10.23.0.1').type('form').send({ _csrf: csrfFrom(page.text), password: NEW_PASSWORD, confirm: NEW_PASSWORD }).expect(303);
  });

  // Attack: a recovery code issued to an SSO or invited member, whose password does not live here.
  it('issues recovery codes only to claimed password members with an employee ID', async () => {
    const pending = await inviteByEmployeeId(h.runtime, { employeeId: `P${Date.now()}`, name: 'Pending', actorId: 'test' });
    await expect(issueRecoveryCode(h.runtime, pending.id, 'test')).rejects.toMatchObject({ code: 'validation_failed' });
    const sso = await claimedMember();
    await h.runtime.db.source.manager.update(h.runtime.db.entities.Member, { id: sso.id }, { loginMethod: 'sso', employeeId: `S${Date.now()}` });
    await expect(issueRecoveryCode(h.runtime, sso.id, 'test')).rejects.toMatchObject({ code: 'validation_failed' });
  });

  // Attack: a read-only admin (or any member) resetting someone's password; the admin action must be audited.
  it('lets only accounts:manage send recovery links and issue recovery codes, and audits who did it', async () => {
    const target = await claimedMember();
    await h.runtime.db.source.manager.update(h.runtime.db.entities.Member, { id: target.id }, { employeeId: `T${Date.now()}` });
    const reader = await signedInMember(h, 'reader@example.com');
    for (const action of ['recovery-link', 'recovery-code']) {
      await reader.agent.post(`/admin/api/members/${target.id}/${action}`).set('x-csrf-token', reader.csrf).expect(403);
    }
    const admin = await signedInMember(h, 'admin@example.com');
    const detail = await admin.agent.get(`/admin/api/members/${target.id}`).expect(200);
    expect(detail.body.actions).toEqual(expect.arrayContaining(['recovery-link', 'recovery-code']));
    const sent = await admin.agent.post(`/admin/api/members/${target.id}/recovery-link`).set('x-csrf-token', admin.csrf).expect(200);
    expect(sent.body).toMatchObject({ action: 'recovery-link', memberId: target.id });
    expect(await newestLink(target.email)).toMatch(/^\/recover\//);
    const issued = await admin.agent.post(`/admin/api/members/${target.id}/recovery-code`).set('x-csrf-token', admin.csrf).expect(200);
    expect(issued.body.recoveryCode).toMatch(/^[A-Z]{4}(-[A-Z]{4}){3}$/);
    const page = await admin.agent.post(`/admin/people/${target.id}/recovery-code`).type('form').send({ _csrf: admin.csrf }).expect(200);
    expect(page.text).toContain('New recovery code');
    const { db } = h.runtime;
    const rows = await db.source.manager.findBy(db.entities.AuditEvent, { memberId: target.id, actorId: admin.id });
    expect(rows.map((row) => row.event)).toEqual(expect.arrayContaining(['recovery.requested', 'recovery.code_issued']));
    expect(rows.map((row) => row.details).join()).not.toContain(issued.body.recoveryCode);
  });
});
