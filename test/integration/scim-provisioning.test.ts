import request from 'supertest';
import { assignedGroupNames } from '../../src/groups/assigned.js';
import { startHarness, type Harness } from '../support/harness.js';
import { mailsTo } from '../support/outbox.js';
import { signedInMember } from '../support/admin.js';
import { ENTERPRISE, ERROR, GROUP, USER, patchOf, scimClient, type ScimTestClient } from '../support/scim.js';

let h: Harness;
let entra: ScimTestClient;
let okta: ScimTestClient;

beforeAll(async () => {
  h = await startHarness();
  entra = await scimClient(h, 'entra');
  okta = await scimClient(h, 'okta');
});
afterAll(() => h.close());

const member = (id: string) => h.runtime.db.source.manager.findOneByOrFail(h.runtime.db.entities.Member, { id });
const auditOf = (memberId: string) => h.runtime.db.source.manager.find(h.runtime.db.entities.AuditEvent, { where: { memberId }, order: { id: 'ASC' } });

describe('discovery', () => {
  test('ServiceProviderConfig, ResourceTypes and Schemas answer in SCIM JSON (an IdP reads them before provisioning)', async () => {
    const config = await entra.get('/ServiceProviderConfig').expect(200).expect('Content-Type', /application\/scim\+json/);
    expect(config.body).toMatchObject({ patch: { supported: true }, filter: { supported: true, maxResults: 200 }, etag: { supported: true }, bulk: { supported: false } });
    const types = await entra.get('/ResourceTypes').expect(200);
    expect(types.body.Resources.map((type: { id: string }) => type.id)).toEqual(['User', 'Group']);
    const schemas = await entra.get('/Schemas').expect(200);
    expect(schemas.body.Resources.map((schema: { id: string }) => schema.id)).toEqual([USER, ENTERPRISE, GROUP]);
    await entra.get(`/Schemas/${ENTERPRISE}`).expect(200);
  });

  test('a request without a token gets 401 in the SCIM error format (unauthenticated provisioning)', async () => {
    const refused = await request(h.app).get('/scim/v2/Users').expect(401);
    expect(JSON.parse(refused.text)).toEqual({ schemas: [ERROR], status: '401', detail: 'a valid bearer token is required' });
    expect(refused.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(refused.headers['set-cookie']).toBeUndefined();
  });
});

// The sequence in Microsoft's "Develop and plan provisioning for a SCIM endpoint" (request and response examples).
describe('Entra ID replay', () => {
  const userName = 'Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1@testuser.com';
  let id: string;
  let groupId: string;

  test('get by filter, create, get, get by filter again', async () => {
    const none = await entra.get(`/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`).expect(200);
    expect(none.body).toEqual({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });
    const created = await entra.post('/Users', {
      schemas: [USER, ENTERPRISE],
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      userName,
      active: true,
      emails: [{ primary: true, type: 'work', value: 'Test_User_fd0ea19b@testuser.com' }],
      meta: { resourceType: 'User' },
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      roles: [],
      [ENTERPRISE]: { employeeNumber: 'e-1001', department: 'Finance' },
    }).expect(201);
    id = created.body.id;
    expect(created.headers.location).toBe(`http://claimgate.test/scim/v2/Users/${id}`);
    expect(created.headers.etag).toBe('W/"1"');
    expect(created.body).toMatchObject({
      userName, externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef', active: true,
      name: { givenName: 'givenName', familyName: 'familyName', formatted: 'givenName familyName' },
      emails: [{ value: 'Test_User_fd0ea19b@testuser.com', type: 'work', primary: true }],
      [ENTERPRISE]: { employeeNumber: 'E-1001', department: 'Finance' },
      meta: { resourceType: 'User', version: 'W/"1"' },
    });
    const row = await member(id);
    expect(row).toMatchObject({ status: 'provisioned', email: 'Test_User_fd0ea19b@testuser.com', firstName: 'givenName', lastName: 'familyName', employeeId: 'E-1001', department: 'Finance', loginMethod: 'password' });
    expect(row.passwordHash).toBeNull();
    expect((await auditOf(id)).map((entry) => [entry.event, entry.actorId])).toEqual([['member.provisioned', 'scim:entra'], ['scim.user_created', 'scim:entra']]);

    const fetched = await entra.get(`/Users/${id}`).expect(200);
    expect(fetched.body.id).toBe(id);
    const found = await entra.get(`/Users?filter=${encodeURIComponent(`userName eq "${userName.toUpperCase()}"`)}`).expect(200);
    expect(found.body.totalResults).toBe(1);
    expect(found.body.Resources[0].id).toBe(id);
    const byExternal = await entra.get(`/Users?filter=${encodeURIComponent('externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"')}&attributes=userName`).expect(200);
    expect(byExternal.body.Resources).toEqual([{ schemas: [USER, ENTERPRISE], id, userName }]);
  });

  test('patch attributes with Entra ID spellings (Replace, emails[type eq "work"].value, enterprise URN paths)', async () => {
    const patched = await entra.patch(`/Users/${id}`, patchOf(
      { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@testuser.com' },
      { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
      { op: 'Add', path: 'title', value: 'Analyst' },
      { op: 'Add', path: 'phoneNumbers[type eq "work"].value', value: '+44 20 7946 0000' },
      { op: 'Replace', path: `${ENTERPRISE}:department`, value: 'Treasury' },
      { op: 'Add', path: 'preferredLanguage', value: 'en-GB' },
    )).expect(200);
    expect(patched.headers.etag).toBe('W/"2"');
    expect(patched.body).toMatchObject({ emails: [{ value: 'updatedEmail@testuser.com' }], name: { familyName: 'updatedFamilyName' }, title: 'Analyst', locale: 'en-GB' });
    expect(await member(id)).toMatchObject({ email: 'updatedEmail@testuser.com', emailNormalized: 'updatedemail@testuser.com', lastName: 'updatedFamilyName', title: 'Analyst', department: 'Treasury', phone: '+44 20 7946 0000', locale: 'en-GB' });
    const update = (await auditOf(id)).find((entry) => entry.event === 'scim.user_updated')!;
    expect(JSON.parse(update.details).fields).toEqual(expect.arrayContaining(['email', 'lastName', 'title', 'department', 'phone', 'locale']));
    const byEmail = await entra.get(`/Users?filter=${encodeURIComponent('emails.value eq "UPDATEDEMAIL@testuser.com"')}`).expect(200);
    expect(byEmail.body.totalResults).toBe(1);
  });

  test('group create, membership add and remove by value, get without members', async () => {
    const created = await entra.post('/Groups', {
      schemas: [GROUP, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2'],
      externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159', displayName: 'Finance team', meta: { resourceType: 'Group' },
    }).expect(201);
    groupId = created.body.id;
    expect(created.body).toMatchObject({ displayName: 'Finance team', members: [] });
    const byName = await entra.get(`/Groups?filter=${encodeURIComponent('displayName eq "finance TEAM"')}&excludedAttributes=members`).expect(200);
    expect(byName.body.Resources).toEqual([expect.not.objectContaining({ members: expect.anything() })]);
    expect(byName.body.Resources[0].id).toBe(groupId);

    await entra.patch(`/Groups/${groupId}`, patchOf({ op: 'Add', path: 'members', value: [{ $ref: null, value: id }] })).expect(204);
    const withMember = await entra.get(`/Groups/${groupId}`).expect(200);
    expect(withMember.body.members).toEqual([expect.objectContaining({ value: id, type: 'User' })]);
    expect(await assignedGroupNames(h.runtime.db, id)).toEqual(['Finance team']);
    const membership = await entra.get(`/Groups?filter=${encodeURIComponent(`id eq "${groupId}" and members.value eq "${id}"`)}&excludedAttributes=members`).expect(200);
    expect(membership.body.totalResults).toBe(1);

    await entra.patch(`/Groups/${groupId}`, patchOf({ op: 'Remove', path: 'members', value: [{ $ref: null, value: id }] })).expect(204);
    expect((await entra.get(`/Groups/${groupId}`).expect(200)).body.members).toEqual([]);
    expect(await assignedGroupNames(h.runtime.db, id)).toEqual([]);
    const audits = await h.runtime.db.source.manager.findBy(h.runtime.db.entities.AuditEvent, { event: 'scim.group_updated' });
    expect(audits.map((entry) => JSON.parse(entry.details))).toEqual([
      expect.objectContaining({ client: 'entra', added: 1, removed: 0 }), expect.objectContaining({ client: 'entra', added: 0, removed: 1 }),
    ]);
  });

  test('patch active "False" (a string, as Entra ID sends it) deactivates at once; "True" restores the earlier state', async () => {
    const off = await entra.patch(`/Users/${id}`, patchOf({ op: 'Replace', path: 'active', value: 'False' })).expect(200);
    expect(off.body.active).toBe(false);
    expect(await member(id)).toMatchObject({ status: 'deactivated' });
    expect((await auditOf(id)).map((entry) => entry.event)).toEqual(expect.arrayContaining(['member.deactivated', 'scim.user_deactivated']));
    const on = await entra.patch(`/Users/${id}`, patchOf({ op: 'Replace', path: 'active', value: 'True' })).expect(200);
    expect(on.body.active).toBe(true);
    expect(await member(id)).toMatchObject({ status: 'provisioned', deactivatedAt: null });
  });

  test('delete deactivates and detaches, never deletes the member or its audit trail', async () => {
    await entra.delete(`/Users/${id}`).expect(204);
    await entra.get(`/Users/${id}`).expect(404);
    expect(await member(id)).toMatchObject({ status: 'deactivated' });
    expect((await auditOf(id)).map((entry) => entry.event)).toEqual(expect.arrayContaining(['scim.user_created', 'scim.user_deleted']));
    await entra.delete(`/Groups/${groupId}`).expect(204);
    await entra.get(`/Groups/${groupId}`).expect(404);
  });
});

// The sequence in Okta's "SCIM 2.0 protocol reference" (users and groups).
describe('Okta replay', () => {
  const userName = 'test.user@okta.local';
  let id: string;

  test('create (with the password Okta may send, never stored), get, full PUT, patch active false', async () => {
    await okta.get(`/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}&startIndex=1&count=100`).expect(200);
    const created = await okta.post('/Users', {
      schemas: [USER], userName, name: { givenName: 'Test', familyName: 'User' },
      emails: [{ primary: true, value: userName, type: 'work' }], displayName: 'Test User', locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7', groups: [], password: '1mz050nq', active: true,
    }).expect(201);
    id = created.body.id;
    expect(created.body).toMatchObject({ displayName: 'Test User', locale: 'en-US', active: true });
    expect(JSON.stringify(created.body)).not.toContain('1mz050nq');
    expect((await member(id)).passwordHash).toBeNull();

    const put = await okta.put(`/Users/${id}`, {
      schemas: [USER], id, userName, name: { givenName: 'Another', familyName: 'User' },
      emails: [{ primary: true, value: userName, type: 'work' }], displayName: 'Another User', locale: 'en-US', externalId: '00ujl29u0le5T6Aj10h7', active: true,
    }).expect(200);
    expect(put.body).toMatchObject({ name: { givenName: 'Another' }, displayName: 'Another User' });
    expect(await member(id)).toMatchObject({ firstName: 'Another', name: 'Another User' });

    const off = await okta.patch(`/Users/${id}`, patchOf({ op: 'replace', value: { active: false } })).expect(200);
    expect(off.body.active).toBe(false);
    expect(await member(id)).toMatchObject({ status: 'deactivated' });
    await okta.patch(`/Users/${id}`, patchOf({ op: 'replace', value: { active: true } })).expect(200);
  });

  test('groups: create, full PUT of members, rename with its own id in the value, remove member[value eq], delete', async () => {
    const created = await okta.post('/Groups', { schemas: [GROUP], displayName: 'Test SCIMv2', members: [] }).expect(201);
    const groupId = created.body.id as string;
    const put = await okta.put(`/Groups/${groupId}`, { schemas: [GROUP], id: groupId, displayName: 'Test SCIMv2', members: [{ value: id, display: userName }] }).expect(200);
    expect(put.body.members).toEqual([expect.objectContaining({ value: id })]);
    expect(await assignedGroupNames(h.runtime.db, id)).toEqual(['Test SCIMv2']);
    await okta.patch(`/Groups/${groupId}`, patchOf({ op: 'replace', value: { id: groupId, displayName: 'Test SCIMv2 renamed' } })).expect(204);
    expect(await assignedGroupNames(h.runtime.db, id)).toEqual(['Test SCIMv2 renamed']);
    await okta.patch(`/Groups/${groupId}`, patchOf({ op: 'remove', path: `members[value eq "${id}"]` })).expect(204);
    const after = await okta.get(`/Groups/${groupId}`).expect(200);
    expect(after.body).toMatchObject({ displayName: 'Test SCIMv2 renamed', members: [] });
    expect(await assignedGroupNames(h.runtime.db, id)).toEqual([]);
    await okta.delete(`/Groups/${groupId}`).expect(204);
  });

  test('pagination: startIndex and count over the client\'s own users only', async () => {
    for (const n of [1, 2, 3]) {
      await okta.post('/Users', { schemas: [USER], userName: `page${n}@okta.local`, active: true }).expect(201);
    }
    const page = await okta.get('/Users?startIndex=2&count=2').expect(200);
    expect(page.body).toMatchObject({ totalResults: 4, startIndex: 2, itemsPerPage: 2 });
    expect(page.body.Resources.map((user: { userName: string }) => user.userName)).toEqual(['page1@okta.local', 'page2@okta.local']);
    const counted = await okta.get('/Users?count=0').expect(200);
    expect(counted.body).toMatchObject({ totalResults: 4, itemsPerPage: 0, Resources: [] });
    const filtered = await okta.get(`/Users?filter=${encodeURIComponent('userName sw "page" and not (userName ew "3@okta.local")')}`).expect(200);
    expect(filtered.body.totalResults).toBe(2);
  });
});

describe('admin pages', () => {
  test('the member page names the SCIM client and marks the fields the IdP manages (an admin edit silently overwritten)', async () => {
    const admin = await signedInMember(h, 'admin@example.com', 'Ada Admin');
    const created = await entra.post('/Users', { schemas: [USER, ENTERPRISE], userName: 'managed@corp.example', title: 'Buyer', [ENTERPRISE]: { department: 'Purchasing' } }).expect(201);
    const page = await admin.agent.get(`/admin/people/${created.body.id}`).expect(200);
    expect(page.text).toContain('Provisioned by the SCIM client <strong>entra</strong>');
    expect(page.text).toMatch(/Purchasing <span class="hint">\(managed by the IdP\)<\/span>/);
    const own = await admin.agent.get(`/admin/people/${admin.id}`).expect(200);
    expect(own.text).not.toContain('managed by the IdP');
    const api = await admin.agent.get(`/admin/api/members/${created.body.id}`).expect(200);
    expect(api.body.idpManaged).toMatchObject({ client: 'entra', fields: expect.arrayContaining(['email', 'department']) });
  });
});

describe('onCreate: invite', () => {
  test('a member created by SCIM is invited and mailed a claim link, with the configured login method', async () => {
    const invite = await startHarness({ scim: { onCreate: 'invite' } });
    try {
      const client = await scimClient(invite, 'entra');
      const created = await client.post('/Users', { schemas: [USER], userName: 'newcomer@corp.example', name: { givenName: 'New', familyName: 'Comer' } }).expect(201);
      const row = await invite.runtime.db.source.manager.findOneByOrFail(invite.runtime.db.entities.Member, { id: created.body.id });
      expect(row).toMatchObject({ status: 'invited' });
      expect(mailsTo(invite.dataDir, 'newcomer@corp.example').join('')).toMatch(/http:\/\/claimgate\.test\/claim\/[A-Za-z0-9_-]+/);
    } finally {
      await invite.close();
    }
  });
});
