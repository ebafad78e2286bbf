import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { csrfFrom } from '../support/browser-agent.js';
import { signedInMember } from '../support/admin.js';
import { startHarness, TEST_SECRET, testConfigInput, type Harness } from '../support/harness.js';
import { allowForProcesses } from '../support/timeouts.js';
import { assignedGroupNames, assignmentsOf } from '../../src/groups/assigned.js';

allowForProcesses();

let h: Harness;
let admin: Awaited<ReturnType<typeof signedInMember>>;
let accountsOnly: Awaited<ReturnType<typeof signedInMember>>;

beforeAll(async () => {
  h = await startHarness({ admins: ['admin@example.com', { member: 'helpdesk@example.com', permissions: ['accounts:manage'] }] });
  admin = await signedInMember(h, 'admin@example.com', 'Ada Admin');
  accountsOnly = await signedInMember(h, 'helpdesk@example.com', 'Hal Desk');
});
afterAll(() => h.close());

describe('admins assign groups', () => {
  it('assigns and unassigns from the member page, without script, audited with the admin as actor', async () => {
    const { id } = await signedInMember(h, 'page-member@example.com');
    const page = await admin.agent.get(`/admin/people/${id}`).expect(200);
    expect(page.text).toContain('<label for="assign">Assign groups');
    const assigned = await admin.agent.post(`/admin/people/${id}/groups`).type('form').send({ _csrf: csrfFrom(page.text), assign: 'Finance, Ops' }).expect(303);
    expect(assigned.headers.location).toBe(`/admin/people/${id}?done=groups`);
    const after = await admin.agent.get(`/admin/people/${id}?done=groups`).expect(200);
    expect(after.text).toContain('The assigned groups are saved');
    expect(after.text).toContain('Unassign Finance');
    await admin.agent.post(`/admin/people/${id}/groups`).type('form').send({ _csrf: csrfFrom(after.text), unassign: 'Finance' }).expect(303);
    expect(await assignedGroupNames(h.runtime.db, id)).toEqual(['Ops']);
    const rows = await h.runtime.db.source.manager.findBy(h.runtime.db.entities.AuditEvent, { memberId: id, event: 'member.groups_assigned' });
    expect(rows.map((row) => [row.actorId, JSON.parse(row.details!)])).toEqual([
      [admin.id, { source: 'admin', added: ['Finance', 'Ops'], removed: [] }],
      [admin.id, { source: 'admin', added: [], removed: ['Finance'] }],
    ]);
    const empty = await admin.agent.post(`/admin/people/${id}/groups`).type('form').send({ _csrf: csrfFrom(after.text), assign: ' , ' }).expect(400);
    expect(empty.text).toContain('Name at least one group');
  });

  // Attack: cross-site request forgery making a signed-in admin grant access.
  it('refuses a form without the CSRF token and assigns nothing', async () => {
    const { id } = await signedInMember(h, 'csrf-member@example.com');
    await admin.agent.post(`/admin/people/${id}/groups`).type('form').send({ assign: 'Finance' }).expect(403);
    expect(await assignedGroupNames(h.runtime.db, id)).toEqual([]);
  });

  // Attack: privilege escalation by a helpdesk admin who may manage accounts but not grant access.
  it('needs the groups:assign permission, on the page and in the API', async () => {
    const { id } = await signedInMember(h, 'perm-member@example.com');
    const page = await accountsOnly.agent.get(`/admin/people/${id}`).expect(200);
    expect(page.text).not.toContain('Assign groups');
    await accountsOnly.agent.post(`/admin/people/${id}/groups`).type('form').send({ _csrf: csrfFrom(page.text), assign: 'Finance' }).expect(403);
    const session = await accountsOnly.agent.get('/admin/api/session').expect(200);
    await accountsOnly.agent.post(`/admin/api/members/${id}/groups`).set('x-csrf-token', session.body.csrfToken).send({ assign: ['Finance'] }).expect(403);
    expect(await assignedGroupNames(h.runtime.db, id)).toEqual([]);
  });

  it('assigns through the JSON API and shows assigned and chosen groups apart', async () => {
    const { id } = await signedInMember(h, 'api-member@example.com');
    const session = await admin.agent.get('/admin/api/session').expect(200);
    const res = await admin.agent.post(`/admin/api/members/${id}/groups`).set('x-csrf-token', session.body.csrfToken).send({ assign: ['Sales'] }).expect(200);
    expect(res.body).toEqual({ id, added: ['Sales'], removed: [], assignedGroups: [{ name: 'Sales', sources: ['admin'] }] });
    const detail = await admin.agent.get(`/admin/api/members/${id}`).expect(200);
    expect(detail.body).toMatchObject({ assignedGroups: [{ name: 'Sales', sources: ['admin'] }], chosenGroups: ['Announcements', 'Engineering'] });
    const bad = await admin.agent.post(`/admin/api/members/${id}/groups`).set('x-csrf-token', session.body.csrfToken).send({ assign: ['x'.repeat(101)] }).expect(400);
    expect(bad.body.error.code).toBe('validation_failed');
    await admin.agent.post('/admin/api/members/not-a-member/groups').set('x-csrf-token', session.body.csrfToken).send({ assign: ['Sales'] }).expect(404);
  });

  it('assigns from the command line', async () => {
    const { id } = await signedInMember(h, 'cli-member@example.com');
    const config = testConfigInput(h.dataDir, h.config.database.url, { secret: TEST_SECRET, redis: { url: '' } });
    writeFileSync(join(h.dataDir, 'claimgate.yaml'), stringify(config));
    const env = { ...process.env, CLAIMGATE_CONFIG: join(h.dataDir, 'claimgate.yaml') };
    const run = (...args: string[]) => promisify(execFile)('node', ['bin/claimgate.js', ...args], { env });
    const out = JSON.parse((await run('groups', 'assign', 'cli-member@example.com', 'Finance', 'Ops', '--json')).stdout);
    expect(out).toMatchObject({ id, added: ['Finance', 'Ops'] });
    await run('groups', 'unassign', id, 'Ops');
    expect(await assignmentsOf(h.runtime.db, id)).toEqual([{ name: 'Finance', sources: ['admin'] }]);
    const shown = JSON.parse((await run('groups', 'show', 'cli-member@example.com', '--json')).stdout);
    expect(shown).toEqual({ id, assignedGroups: [{ name: 'Finance', sources: ['admin'] }], chosenGroups: ['Announcements', 'Engineering'] });
    const audit = await h.runtime.db.source.manager.findBy(h.runtime.db.entities.AuditEvent, { memberId: id, event: 'member.groups_assigned' });
    expect(audit.map((row) => row.actorId)).toEqual(['cli', 'cli']);
    await expect(run('groups', 'assign', 'nobody@example.com', 'Finance')).rejects.toMatchObject({ code: 2 });
  });
});
