import { signedInMember } from '../support/admin.js';
import { csrfFrom, newAgent, type Agent } from '../support/browser-agent.js';
import { GOOD_PASSWORD } from '../support/claim-walk.js';
import { startHarness, type Harness } from '../support/harness.js';
import { listMemberSessions } from '../../src/session/member-sessions.js';

const NEW_PASSWORD = 'another long passphrase here';
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

let h: Harness;
let admin: Awaited<ReturnType<typeof signedInMember>>;
let reader: Awaited<ReturnType<typeof signedInMember>>;

beforeAll(async () => {
  h = await startHarness({ admins: ['admin@example.com', { member: 'reader@example.com', permissions: ['accounts:read'] }] });
  admin = await signedInMember(h, 'admin@example.com');
  reader = await signedInMember(h, 'reader@example.com');
});
afterAll(() => h.close());

async function signIn(identifier: string, password: string, userAgent = CHROME): Promise<{ agent: Agent; res: import('supertest').Response }> {
  const agent = newAgent(h.app);
  const token = csrfFrom((await agent.get('/login').set('User-Agent', userAgent)).text);
  const res = await agent.post('/login').set('User-Agent', userAgent).type('form').send({ _csrf: token, identifier, password });
  return { agent, res };
}

async function apiToken(agent: Agent): Promise<string> {
  return ((await agent.get('/admin/api/session').expect(200)).body as { csrfToken: string }).csrfToken;
}

async function audits(event: string, memberId: string) {
  const { db } = h.runtime;
  return db.source.manager.findBy(db.entities.AuditEvent, { event, memberId });
}

describe('an admin signs a member out everywhere', () => {
  // Attack: a stolen session of a member that the member cannot reach (lost phone): the admin ends it.
  it('from the member page, after confirming: every session ends, the page lists them first, and it is audited', async () => {
    const target = await signedInMember(h, 'lost-phone@example.com');
    const second = await signIn('lost-phone@example.com', GOOD_PASSWORD);
    const page = await admin.agent.get(`/admin/people/${target.id}`).expect(200);
    expect(page.text).toContain('Sessions (2,');
    expect(page.text).toContain('Chrome 131 on Linux');
    const token = csrfFrom(page.text);
    const confirm = await admin.agent.post(`/admin/people/${target.id}/sign-out-everywhere`).type('form').send({ _csrf: token }).expect(200);
    expect(confirm.text).toMatch(/Sign .+ out everywhere\?/);
    await target.agent.get('/_claimgate/me').expect(200);
    await admin.agent.post(`/admin/people/${target.id}/sign-out-everywhere`).type('form').send({ _csrf: token, confirm: 'yes' }).expect(303);
    await target.agent.get('/_claimgate/me').expect(303);
    await second.agent.get('/_claimgate/me').expect(303);
    expect(await listMemberSessions(h.runtime, target.id)).toEqual([]);
    const done = await admin.agent.get(`/admin/people/${target.id}?done=sign-out-everywhere`).expect(200);
    expect(done.text).toContain('Every session of the member has ended.');
    expect(done.text).toContain('Not signed in anywhere.');
    const [row] = await audits('member.signed_out_everywhere', target.id);
    expect(row!.actorId).toBe(admin.id);
    expect(JSON.parse(row!.details)).toEqual({ sessions: 2 });
  });

  it('through the JSON API and shows the sessions in the member detail', async () => {
    const target = await signedInMember(h, 'api-target@example.com');
    const detail = await admin.agent.get(`/admin/api/members/${target.id}`).expect(200);
    expect((detail.body as { sessions: unknown[] }).sessions).toHaveLength(1);
    expect((detail.body as { actions: string[] }).actions).toEqual(expect.arrayContaining(['sign-out-everywhere', 'require-new-password']));
    const res = await admin.agent.post(`/admin/api/members/${target.id}/sign-out-everywhere`).set('x-csrf-token', await apiToken(admin.agent)).expect(200);
    expect(res.body).toEqual({ action: 'sign-out-everywhere', memberId: target.id, sessionsEnded: 1 });
    await target.agent.get('/_claimgate/me').expect(303);
  });

  // Attack: cross-site request forgery and privilege escalation against the admin's action.
  it('refuses a request without the CSRF token, and an admin without accounts:manage', async () => {
    const target = await signedInMember(h, 'forged-target@example.com');
    const forged = await admin.agent.post(`/admin/api/members/${target.id}/sign-out-everywhere`).send({}).expect(403);
    expect((forged.body as { error: { code: string } }).error.code).toBe('csrf_invalid');
    await admin.agent.post(`/admin/people/${target.id}/sign-out-everywhere`).type('form').send({ confirm: 'yes' }).expect(403);
    const denied = await reader.agent.post(`/admin/api/members/${target.id}/sign-out-everywhere`).set('x-csrf-token', await apiToken(reader.agent)).expect(403);
    expect((denied.body as { error: { code: string } }).error.code).toBe('forbidden');
    await target.agent.get('/_claimgate/me').expect(200);
    expect(await audits('member.signed_out_everywhere', target.id)).toEqual([]);
  });
});

describe('an admin requires a new password at the next sign-in', () => {
  // Attack: a password known to someone else (shared, phished) that keeps working after the admin learns of it.
  it('sends the next sign-in to the set-password page first; nothing else opens until it is done', async () => {
    const target = await signedInMember(h, 'must-change@example.com');
    const token = csrfFrom((await admin.agent.get(`/admin/people/${target.id}`).expect(200)).text);
    await admin.agent.post(`/admin/people/${target.id}/require-new-password`).type('form').send({ _csrf: token }).expect(303);
    expect(await audits('member.password_change_required', target.id)).toHaveLength(1);

    // The open session is held at the set-password page too: pages, the JSON API and the terms page alike.
    const held = await target.agent.get('/_claimgate/me').expect(303);
    expect(held.headers.location).toBe('/_claimgate/account/new-password?returnTo=%2F_claimgate%2Fme');
    await target.agent.get('/_claimgate/account/sessions').set('Accept', 'application/json').expect(403);

    const { agent, res } = await signIn('must-change@example.com', GOOD_PASSWORD);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/_claimgate/account/new-password');
    const form = await agent.get('/_claimgate/account/new-password').expect(200);
    expect(form.text).toContain('Your administrator asked you to choose a new password');
    const same = await agent.post('/_claimgate/account/new-password').type('form').send({ _csrf: csrfFrom(form.text), password: GOOD_PASSWORD, confirm: GOOD_PASSWORD }).expect(400);
    expect(same.text).toContain('different from your current one');
    await agent.post('/_claimgate/account/new-password').type('form').send({ password: NEW_PASSWORD, confirm: NEW_PASSWORD }).expect(403);
    await agent.post('/_claimgate/account/new-password').type('form').send({ _csrf: csrfFrom(same.text), password: NEW_PASSWORD, confirm: NEW_PASSWORD }).expect(303);

    await agent.get('/_claimgate/me').expect(200);
    await target.agent.get('/_claimgate/me').expect(303);
    expect((await signIn('must-change@example.com', GOOD_PASSWORD)).res.status).toBe(401);
    expect((await signIn('must-change@example.com', NEW_PASSWORD)).res.headers.location).toBe('/');
    const [changed] = await audits('member.password_changed', target.id);
    expect(JSON.parse(changed!.details)).toEqual({ required: true });
  });

  it('is refused for a member who is not claimed', async () => {
    const { inviteByEmail } = await import('../../src/members/invite.js');
    const invited = await inviteByEmail(h.runtime, { email: 'not-yet@example.com', actorId: 'test' });
    const res = await admin.agent.post(`/admin/api/members/${invited.id}/require-new-password`).set('x-csrf-token', await apiToken(admin.agent)).expect(409);
    expect((res.body as { error: { code: string } }).error.code).toBe('member_action_unavailable');
  });
});
