import request from 'supertest';
import { runExportJob } from '../../src/export-jobs/run.js';
import { assignedGroupNames } from '../../src/groups/assigned.js';
import { createToken } from '../../src/tokens/tokens.js';
import { signedInMember } from '../support/admin.js';
import { csrfFrom } from '../support/browser-agent.js';
import { startHarness, type Harness } from '../support/harness.js';

// admin@ and peer@ hold every permission; narrow@ may read and change accounts, not assign groups.
let h: Harness;
let admin: Awaited<ReturnType<typeof signedInMember>>;
let narrow: Awaited<ReturnType<typeof signedInMember>>;
let manager: string;
let assigner: string;
let adminName: string | null;

beforeAll(async () => {
  h = await startHarness({
    admins: ['admin@example.com', 'peer@example.com', { member: 'narrow@example.com', permissions: ['accounts:read', 'accounts:manage'] }],
  });
  admin = await signedInMember(h, 'admin@example.com', 'Ada Admin');
  narrow = await signedInMember(h, 'narrow@example.com', 'Nora Narrow');
  manager = (await createToken(h.runtime, { name: 'hr-sync', permissions: ['accounts:manage'] }, 'test')).token;
  assigner = (await createToken(h.runtime, { name: 'group-sync', permissions: ['accounts:manage', 'groups:assign'] }, 'test')).token;
  adminName = (await member('admin@example.com'))!.name;
});
afterAll(() => h.close());

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const member = (email: string) => h.runtime.db.source.manager.findOneBy(h.runtime.db.entities.Member, { emailNormalized: email });
const lastDenial = async () => {
  const rows = await h.runtime.db.source.manager.find(h.runtime.db.entities.AuditEvent, { where: { event: 'admin.access_denied' }, order: { id: 'DESC' }, take: 1 });
  return { actorId: rows[0]!.actorId, details: JSON.parse(rows[0]!.details!) as Record<string, unknown> };
};

describe('administrator accounts are managed only by people holding all their permissions', () => {
  // Attack: an accounts:manage token invites the full admin's address and walks the claim link to become that admin.
  it('refuses a service token an invitation for an address named in admins, in any spelling, and creates nothing', async () => {
    for (const email of ['peer@example.com', ' PEER@Example.com ']) {
      const refused = await request(h.app).post('/admin/api/members').set(bearer(manager)).send({ email }).expect(403);
      expect(refused.body.error.code).toBe('forbidden');
      expect(refused.body.error.message).toMatch(/administrator account/);
      expect(refused.body).not.toHaveProperty('claimUrl');
    }
    expect(await member('peer@example.com')).toBeNull();
    expect(await lastDenial()).toEqual({ actorId: 'token:hr-sync', details: expect.objectContaining({ reason: 'administrator account', change: 'invite' }) });
  });

  // Attack: a token locks a claimed admin out (deactivate, new password, sign-out) or resets their password.
  it('refuses a service token every action, profile change and group change on a claimed admin, who stays signed in', async () => {
    for (const action of ['deactivate', 'require-new-password', 'sign-out-everywhere', 'recovery-link']) {
      const refused = await request(h.app).post(`/admin/api/members/${admin.id}/${action}`).set(bearer(manager)).expect(403);
      expect(refused.body.error.code).toBe('forbidden');
      expect((await lastDenial()).details).toMatchObject({ reason: 'administrator account', change: action, targetId: admin.id });
    }
    await request(h.app).patch(`/admin/api/members/${admin.id}`).set(bearer(manager)).send({ name: 'Mallory' }).expect(403);
    await request(h.app).post(`/admin/api/members/${admin.id}/groups`).set(bearer(assigner)).send({ assign: ['Payroll'] }).expect(403);
    const after = (await member('admin@example.com'))!;
    expect(after).toMatchObject({ status: 'claimed', name: adminName, passwordChangeRequiredAt: null });
    expect(await assignedGroupNames(h.runtime.db, admin.id)).toEqual([]);
    await admin.agent.get('/admin/people').expect(200);
  });

  // Attack: a narrower admin (no groups:assign) takes over a full admin's account through the admin pages.
  it('refuses a narrower admin on the pages, while a full admin may manage another admin and the narrow one ordinary members', async () => {
    const form = await narrow.agent.get('/admin/invite').expect(200);
    await narrow.agent.post('/admin/invite').type('form').send({ _csrf: csrfFrom(form.text), email: 'peer@example.com' }).expect(403);
    expect(await member('peer@example.com')).toBeNull();
    await narrow.agent.post(`/admin/people/${admin.id}/deactivate`).type('form').send({ _csrf: csrfFrom(form.text), confirm: 'yes' }).expect(403);
    expect((await member('admin@example.com'))!.status).toBe('claimed');
    expect(await lastDenial()).toEqual({ actorId: narrow.id, details: expect.objectContaining({ reason: 'administrator account', change: 'deactivate' }) });

    const ordinary = await narrow.agent.post('/admin/invite').type('form').send({ _csrf: csrfFrom(form.text), email: 'plain@example.com' }).expect(200);
    expect(ordinary.text).not.toContain('error');
    expect((await member('plain@example.com'))!.status).toBe('invited');
    const adminForm = await admin.agent.get('/admin/invite').expect(200);
    await admin.agent.post('/admin/invite').type('form').send({ _csrf: csrfFrom(adminForm.text), email: 'peer@example.com' }).expect(200);
    expect((await member('peer@example.com'))!.status).toBe('invited');
  });

  // Attack: a token exports invited members to read the claim link of an invited administrator and claim it.
  // Misuse: a client offered actions the server will refuse learns nothing true and retries into 403s and audit rows.
  it('offers a caller only the actions it may take: none on an administrator it may not manage, none to a read-only caller', async () => {
    const ordinary = (await request(h.app).post('/admin/api/members').set(bearer(manager)).send({ email: 'offered@example.com' }).expect(201)).body.id as string;
    const reader = (await createToken(h.runtime, { name: 'reader', permissions: ['accounts:read'] }, 'test')).token;
    const actionsFor = async (token: string, id: string) => (await request(h.app).get(`/admin/api/members/${id}`).set(bearer(token)).expect(200)).body.actions as string[];
    expect(await actionsFor(manager, ordinary)).toEqual(expect.arrayContaining(['resend', 'revoke', 'deactivate']));
    expect(await actionsFor(manager, admin.id)).toEqual([]);
    expect(await actionsFor(reader, ordinary)).toEqual([]);
    // On the pages: the narrower admin sees no action buttons on the full admin's page, and sees them on the ordinary one.
    const buttons = async (id: string) => (await narrow.agent.get(`/admin/people/${id}`).expect(200)).text.match(new RegExp(`action="/admin/people/${id}/(deactivate|resend)"`, 'g')) ?? [];
    expect(await buttons(admin.id)).toEqual([]);
    expect((await narrow.agent.get(`/admin/people/${admin.id}`).expect(200)).text).toContain('This account belongs to an administrator');
    expect((await buttons(ordinary)).length).toBeGreaterThan(0);
    expect((await narrow.agent.get(`/admin/people/${ordinary}`).expect(200)).text).not.toContain('This account belongs to an administrator');
  });

  it('leaves an administrator\'s claim link out of an export a token asks for, and keeps it for a full admin', async () => {
    const exported = async (as: (method: 'get' | 'post', url: string) => request.Test) => {
      const requested = await as('post', '/admin/api/exports').send({ status: 'invited' }).expect(202);
      await runExportJob(h.runtime, requested.body.id);
      const csv = (await as('get', `/admin/api/exports/${requested.body.id}/download`).expect(200)).text;
      const link = (email: string) => csv.split('\n').find((line) => line.includes(email))!.split(',').find((cell) => cell.includes('/claim/')) ?? null;
      return { peer: link('peer@example.com'), plain: link('plain@example.com') };
    };
    const byToken = await exported((method, url) => request(h.app)[method](url).set(bearer(manager)));
    expect(byToken).toEqual({ peer: null, plain: expect.stringContaining('/claim/') });
    const csrf = csrfFrom((await admin.agent.get('/admin/export').expect(200)).text);
    const byAdmin = await exported((method, url) => admin.agent[method](url).set('x-csrf-token', csrf));
    expect(byAdmin).toEqual({ peer: expect.stringContaining('/claim/'), plain: expect.stringContaining('/claim/') });
  });

  // Attack: the CSV import as a side door: a row renaming the admin, or inviting an admin address, with a token.
  it('the import skips rows naming an administrator account, with a reason, and applies the others', async () => {
    const file = 'Email,First name,Last name\r\nadmin@example.com,Mal,Lory\r\nnarrow@example.com,Mal,Lory\r\nsomeone-new@example.com,Some,One\r\n';
    const uploaded = await request(h.app).post('/admin/api/imports/uploads').set(bearer(manager)).set('Content-Type', 'text/csv').send(file).expect(201);
    expect(uploaded.body.report).toMatchObject({ valid: 1, invalid: 2 });
    expect(uploaded.body.report.rejected.map((row: { line: number; reasonParts: Array<{ key: string }> }) => [row.line, row.reasonParts.map((part) => part.key)]))
      .toEqual([[2, ['admin.import.rows.adminAccount']], [3, ['admin.import.rows.adminAccount']]]);
    const applied = await request(h.app).post(`/admin/api/imports/uploads/${uploaded.body.upload.id}/apply`).set(bearer(manager)).send({ invite: 'now' }).expect(200);
    expect(applied.body.report).toMatchObject({ created: 1, updated: 0, invitedByLink: 1 });
    expect((await member('admin@example.com'))!.name).toBe(adminName);
    expect((await member('narrow@example.com'))!.name).not.toBe('Mal Lory');
    expect((await lastDenial()).details).toMatchObject({ reason: 'administrator account', change: 'import', skipped: 2 });
  });
});

describe('the import\'s Groups column needs groups:assign', () => {
  const withGroups = 'Email,First name,Last name,Groups\r\ngrouped@example.com,Gro,Uped,Payroll;Finance\r\n';

  // Attack: an accounts:manage token assigns route-granting groups through the import, around the assign door.
  it('refuses a token without groups:assign before anything is kept or written, naming the column', async () => {
    const uploads = () => h.runtime.db.source.manager.count(h.runtime.db.entities.ImportUpload);
    const before = await uploads();
    const refused = await request(h.app).post('/admin/api/imports/uploads').set(bearer(manager)).set('Content-Type', 'text/csv').send(withGroups).expect(403);
    expect(refused.body.error).toMatchObject({ code: 'forbidden', message: expect.stringContaining('Groups column') });
    await request(h.app).post('/admin/api/imports').set(bearer(manager)).set('Content-Type', 'text/csv').send(withGroups).expect(403);
    expect(await uploads()).toBe(before);
    expect(await member('grouped@example.com')).toBeNull();
    expect(await lastDenial()).toEqual({ actorId: 'token:hr-sync', details: expect.objectContaining({ permission: 'groups:assign', column: 'Groups', lines: '2' }) });

    // Empty Groups cells assign nothing and pass; with groups:assign the file is imported.
    await request(h.app).post('/admin/api/imports').set(bearer(manager)).set('Content-Type', 'text/csv').send('Email,First name,Last name,Groups\r\nungrouped@example.com,Un,Grouped,\r\n').expect(200);
    await request(h.app).post('/admin/api/imports').set(bearer(assigner)).set('Content-Type', 'text/csv').send(withGroups).expect(200);
    expect(await assignedGroupNames(h.runtime.db, (await member('grouped@example.com'))!.id)).toEqual(['Finance', 'Payroll']);
  });

  // Attack: the same through the admin page's preview by an admin who may not assign groups.
  it('refuses it on the admin page preview with the same message', async () => {
    const form = await narrow.agent.get('/admin/import').expect(200);
    const refused = await narrow.agent.post('/admin/import').field('_csrf', csrfFrom(form.text))
      .attach('file', Buffer.from(withGroups.replace('grouped@', 'paged@')), { filename: 'people.csv', contentType: 'text/csv' }).expect(403);
    expect(refused.text).toContain('The Groups column assigns groups, which needs the groups:assign permission');
    expect(await member('paged@example.com')).toBeNull();
  });
});

describe('bearer tokens on the admin API', () => {
  // Attack: none; interoperability: a client sending the scheme in another case (RFC 9110 11.1) is not locked out.
  it('accepts the Bearer scheme in any case', async () => {
    for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
      await request(h.app).get('/admin/api/members').set('Authorization', `${scheme} ${manager}`).expect(200);
    }
  });

  // Attack: a client probing without credentials learns nothing, but is told the scheme (RFC 9110 11.6.1).
  it('answers 401 with a WWW-Authenticate challenge when no credentials are sent', async () => {
    const refused = await request(h.app).get('/admin/api/members').set('Accept', 'application/json').expect(401);
    expect(refused.headers['www-authenticate']).toBe('Bearer realm="claimgate admin API"');
    expect(refused.body.error.code).toBe('not_signed_in');
  });
});
