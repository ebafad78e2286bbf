import request from 'supertest';
import { rotateScimToken, revokeScimToken } from '../../src/scim/tokens.js';
import { startHarness, type Harness } from '../support/harness.js';
import { ENTERPRISE, ERROR, GROUP, USER, patchOf, scimClient, type ScimTestClient } from '../support/scim.js';

let h: Harness;
let entra: ScimTestClient;
let okta: ScimTestClient;
let alice: string;

beforeAll(async () => {
  h = await startHarness();
  entra = await scimClient(h, 'entra');
  okta = await scimClient(h, 'okta');
  alice = (await entra.post('/Users', { schemas: [USER, ENTERPRISE], userName: 'alice@corp.example', externalId: 'a-1', displayName: 'Alice' }).expect(201)).body.id;
  await okta.post('/Users', { schemas: [USER], userName: 'bob@partner.example', displayName: 'Bob' }).expect(201);
});
afterAll(() => h.close());

const members = () => h.runtime.db.source.manager.find(h.runtime.db.entities.Member, { order: { email: 'ASC' } });
const aliceRow = () => h.runtime.db.source.manager.findOneByOrFail(h.runtime.db.entities.Member, { id: alice });
const refusals = () => h.runtime.db.source.manager.findBy(h.runtime.db.entities.AuditEvent, { event: 'scim.request_refused' });

/** Every refusal is in the SCIM error format (RFC 7644 §3.12) with the status and, where one applies, the scimType. */
function expectScimError(response: request.Response, status: number, scimType?: string) {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/application\/scim\+json/);
  const body = JSON.parse(response.text);
  expect(body).toMatchObject({ schemas: [ERROR], status: String(status) });
  expect(body.scimType).toBe(scimType);
  expect(typeof body.detail).toBe('string');
}

describe('hostile input changes nothing', () => {
  test('an unknown attribute is refused, not silently dropped or stored (schema smuggling)', async () => {
    const before = await members();
    expectScimError(await entra.post('/Users', { schemas: [USER], userName: 'mallory@corp.example', isAdmin: true }), 400, 'invalidSyntax');
    expectScimError(await entra.post('/Users', { schemas: [USER, ENTERPRISE], userName: 'mallory@corp.example', [ENTERPRISE]: { clearance: 'top' } }), 400, 'invalidSyntax');
    expectScimError(await entra.post('/Users', { schemas: [USER, 'urn:evil:schema'], userName: 'mallory@corp.example' }), 400, 'invalidValue');
    expectScimError(await entra.patch(`/Users/${alice}`, patchOf({ op: 'add', path: 'role', value: 'admin' })), 400, 'invalidSyntax');
    expect(await members()).toEqual(before);
  });

  test('filter injection: quotes and SQL in a value are data, broken syntax is refused (SQL injection through filter)', async () => {
    const quoted = await entra.get(`/Users?filter=${encodeURIComponent('userName eq "x\\" or 1=1 --"')}`).expect(200);
    expect(quoted.body.totalResults).toBe(0);
    expectScimError(await entra.get(`/Users?filter=${encodeURIComponent('userName eq "x" or 1=1')}`), 400, 'invalidFilter');
    expectScimError(await entra.get(`/Users?filter=${encodeURIComponent("userName eq \"x\") OR (1=1")}`), 400, 'invalidFilter');
    const wildcard = await entra.get(`/Users?filter=${encodeURIComponent('userName co "%"')}`).expect(200);
    expect(wildcard.body.totalResults).toBe(0);
    const underscore = await entra.get(`/Users?filter=${encodeURIComponent('userName sw "_lice"')}`).expect(200);
    expect(underscore.body.totalResults).toBe(0);
    expectScimError(await entra.get(`/Users?filter=${encodeURIComponent('password pr')}`), 400, 'invalidFilter');
    expectScimError(await entra.get(`/Users?filter=${encodeURIComponent('meta.lastModified gt "2020-01-01"')}`), 400, 'invalidFilter');
  });

  test('enormous, deep or wide filters are refused before the database (denial of service)', async () => {
    const long = `userName eq "${'a'.repeat(1200)}"`;
    expectScimError(await entra.get(`/Users?filter=${encodeURIComponent(long)}`), 400, 'invalidFilter');
    let deep = 'userName pr';
    for (let i = 0; i < 12; i++) deep = `userName pr ${i % 2 ? 'and' : 'or'} (${deep})`;
    expectScimError(await entra.get(`/Users?filter=${encodeURIComponent(deep)}`), 400, 'invalidFilter');
    const wide = Array.from({ length: 40 }, (_, i) => `userName eq "u${i}"`).join(' or ');
    expectScimError(await entra.get(`/Users?filter=${encodeURIComponent(wide)}`), 400, 'invalidFilter');
  });

  test('PATCH or PUT on the immutable id is refused (resource hijack by id rewrite)', async () => {
    const before = await aliceRow();
    expectScimError(await entra.patch(`/Users/${alice}`, patchOf({ op: 'replace', path: 'id', value: '00000000-0000-4000-8000-000000000000' })), 400, 'mutability');
    expectScimError(await entra.patch(`/Users/${alice}`, patchOf({ op: 'replace', value: { id: '00000000-0000-4000-8000-000000000000' } })), 400, 'mutability');
    expectScimError(await entra.patch(`/Users/${alice}`, patchOf({ op: 'replace', path: 'meta.version', value: 'W/"99"' })), 400, 'mutability');
    expectScimError(await entra.put(`/Users/${alice}`, { schemas: [USER], id: '00000000-0000-4000-8000-000000000000', userName: 'alice@corp.example' }), 400, 'mutability');
    expect(await aliceRow()).toEqual(before);
    expect((await entra.get(`/Users/${alice}`).expect(200)).headers.etag).toBe('W/"1"');
  });

  test('malformed bodies and operations answer in the SCIM format (parser errors leak no HTML or stack)', async () => {
    const broken = await request(h.app).post('/scim/v2/Users').set('Authorization', `Bearer ${entra.token}`).set('Content-Type', 'application/scim+json').send('{"schemas": [');
    expectScimError(broken, 400, 'invalidSyntax');
    expectScimError(await entra.patch(`/Users/${alice}`, patchOf({ op: 'Frobnicate', path: 'title', value: 'x' })), 400, 'invalidSyntax');
    expectScimError(await entra.patch(`/Users/${alice}`, patchOf({ op: 'replace', path: 'active', value: 'maybe' })), 400, 'invalidValue');
    expectScimError(await entra.patch(`/Users/${alice}`, patchOf({ op: 'replace', path: 'emails[type eq "work"].value', value: 'not an email' })), 400, 'invalidValue');
    expectScimError(await entra.get('/Users/not-a-uuid'), 404);
    expectScimError(await entra.get('/Nothing'), 404);
  });

  test('a stale ETag in If-Match is refused with 412 (lost update from a replayed request)', async () => {
    const current = await entra.get(`/Users/${alice}`).expect(200);
    const etag = current.headers.etag as string;
    await entra.patch(`/Users/${alice}`, patchOf({ op: 'replace', path: 'title', value: 'Engineer' })).set('If-Match', etag).expect(200);
    const before = await aliceRow();
    expectScimError(await entra.patch(`/Users/${alice}`, patchOf({ op: 'replace', path: 'title', value: 'Replayed' })).set('If-Match', etag), 412);
    expectScimError(await entra.delete(`/Users/${alice}`).set('If-Match', etag), 412);
    expect(await aliceRow()).toEqual(before);
    await entra.get(`/Users/${alice}`).set('If-None-Match', 'W/"2"').expect(304);
  });

  test('refused writes are audited with the client as actor', async () => {
    const rows = await refusals();
    expect(rows.filter((row) => row.actorId === 'scim:entra').length).toBeGreaterThanOrEqual(5);
    expect(rows.map((row) => JSON.parse(row.details).reason)).toEqual(expect.arrayContaining(['mutability', 'invalidSyntax', 'precondition_failed']));
  });
});

describe('clients are kept apart', () => {
  test('another client\'s token can neither see, change, delete nor group a user (cross-tenant access)', async () => {
    const before = await aliceRow();
    expectScimError(await okta.get(`/Users/${alice}`), 404);
    expect((await okta.get(`/Users?filter=${encodeURIComponent('userName eq "alice@corp.example"')}`).expect(200)).body.totalResults).toBe(0);
    expectScimError(await okta.patch(`/Users/${alice}`, patchOf({ op: 'replace', path: 'active', value: false })), 404);
    expectScimError(await okta.put(`/Users/${alice}`, { schemas: [USER], userName: 'alice@corp.example', active: false }), 404);
    expectScimError(await okta.delete(`/Users/${alice}`), 404);
    expectScimError(await okta.post('/Groups', { schemas: [GROUP], displayName: 'Stolen', members: [{ value: alice }] }), 400, 'invalidValue');
    expectScimError(await okta.post('/Users', { schemas: [USER], userName: 'alice@corp.example' }), 409, 'uniqueness');
    expect(await aliceRow()).toEqual(before);
  });

  test('a rotated or revoked token stops at once (stolen token)', async () => {
    const client = await scimClient(h, 'short-lived');
    await client.get('/Users').expect(200);
    const rotated = await rotateScimToken(h.runtime, 'short-lived', 'test');
    expectScimError(await client.get('/Users'), 401);
    await request(h.app).get('/scim/v2/Users').set('Authorization', `Bearer ${rotated.token}`).expect(200);
    await revokeScimToken(h.runtime, 'short-lived', 'test');
    expectScimError(await request(h.app).get('/scim/v2/Users').set('Authorization', `Bearer ${rotated.token}`), 401);
    const stored = await h.runtime.db.source.manager.find(h.runtime.db.entities.ScimClient);
    expect(JSON.stringify(stored)).not.toContain(rotated.token);
  });

  test('concurrent creates of one user make one member (an IdP retrying in parallel, or two replicas)', async () => {
    const attempts = await Promise.all(Array.from({ length: 8 }, () => entra.post('/Users', { schemas: [USER], userName: 'racer@corp.example', externalId: 'race-1' })));
    expect(attempts.filter((response) => response.status === 201)).toHaveLength(1);
    for (const response of attempts.filter((r) => r.status !== 201)) expectScimError(response, 409, 'uniqueness');
    expect((await members()).filter((member) => member.email === 'racer@corp.example')).toHaveLength(1);
  });
});

describe('administrator accounts', () => {
  let hx: Harness;
  let idp: ScimTestClient;
  const ADMIN_EMAIL = 'ops@corp.example';
  const ADMIN_EMPLOYEE_ID = 'e-9000';
  const row = (id: string) => hx.runtime.db.source.manager.findOneByOrFail(hx.runtime.db.entities.Member, { id });
  const claim = (id: string) => hx.runtime.db.source.manager.update(hx.runtime.db.entities.Member, { id }, { status: 'claimed', claimedAt: new Date() });
  const refusedAsAdministrator = async () =>
    (await hx.runtime.db.source.manager.findBy(hx.runtime.db.entities.AuditEvent, { event: 'scim.request_refused' }))
      .filter((event) => JSON.parse(event.details).reason === 'administrator_account').length;

  beforeAll(async () => {
    // Neither administrator named here has an account yet: the IdP's token must not be able to make one of its own
    // members into them.
    hx = await startHarness({ admins: ['admin@example.com', ADMIN_EMAIL, { member: ADMIN_EMPLOYEE_ID, permissions: ['accounts:manage'] }] });
    idp = await scimClient(hx, 'entra');
  });
  afterAll(() => hx.close());

  test('renaming a claimed member to an administrator\'s email or employee ID is refused (privilege escalation through the SCIM token)', async () => {
    const mallory = (await idp.post('/Users', { schemas: [USER], userName: 'mallory@corp.example' }).expect(201)).body.id;
    await claim(mallory);
    const before = await row(mallory);
    expectScimError(await idp.patch(`/Users/${mallory}`, patchOf({ op: 'replace', path: 'emails', value: [{ value: ADMIN_EMAIL, type: 'work', primary: true }] })), 403);
    expectScimError(await idp.put(`/Users/${mallory}`, { schemas: [USER], userName: ADMIN_EMAIL }), 403);
    expectScimError(await idp.put(`/Users/${mallory}`, { schemas: [USER, ENTERPRISE], userName: 'mallory@corp.example', [ENTERPRISE]: { employeeNumber: 'E-9000' } }), 403);
    expect(await row(mallory)).toEqual(before);
    expect(await refusedAsAdministrator()).toBe(3);
  });

  test('a user named in admins, by email or employee ID, is not created (privilege escalation through the SCIM token)', async () => {
    const refusedBefore = await refusedAsAdministrator();
    // The claim link would go to the token holder's own address, and the employee ID make its claimant an administrator.
    expectScimError(await idp.post('/Users', { schemas: [USER, ENTERPRISE], userName: 'eve@corp.example', [ENTERPRISE]: { employeeNumber: 'E-9000' } }), 403);
    expectScimError(await idp.post('/Users', { schemas: [USER], userName: ADMIN_EMAIL }), 403);
    expect(await refusedAsAdministrator()).toBe(refusedBefore + 2);
    const created = await hx.runtime.db.source.manager.findBy(hx.runtime.db.entities.Member, [{ emailNormalized: 'eve@corp.example' }, { emailNormalized: ADMIN_EMAIL }]);
    expect(created).toEqual([]);
  });

  test('an administrator\'s account keeps its email, employee ID and access; its profile follows the IdP (account takeover and lock-out)', async () => {
    // Provisioned as an ordinary member, then named in admins (the configuration changed after provisioning).
    const ops = (await idp.post('/Users', { schemas: [USER], userName: 'ops-to-be@corp.example', emails: [{ value: 'ops-to-be@corp.example', primary: true }], displayName: 'Ops' }).expect(201)).body.id;
    await hx.runtime.db.source.manager.update(hx.runtime.db.entities.Member, { id: ops }, { email: ADMIN_EMAIL, emailNormalized: ADMIN_EMAIL });
    await claim(ops);
    const refusedBefore = await refusedAsAdministrator();
    // Recovery mail would go to the new address: whoever reads it owns the administrator account.
    expectScimError(await idp.patch(`/Users/${ops}`, patchOf({ op: 'replace', path: 'emails', value: [{ value: 'attacker@corp.example', primary: true }] })), 403);
    expectScimError(await idp.patch(`/Users/${ops}`, patchOf({ op: 'replace', path: 'active', value: false })), 403);
    expectScimError(await idp.delete(`/Users/${ops}`), 403);
    expect(await refusedAsAdministrator()).toBe(refusedBefore + 3);
    const kept = await row(ops);
    expect(kept).toMatchObject({ email: ADMIN_EMAIL, status: 'claimed', deactivatedAt: null });
    const renamed = await idp.patch(`/Users/${ops}`, patchOf({ op: 'replace', path: 'displayName', value: 'Operations' })).expect(200);
    expect(renamed.body.displayName).toBe('Operations');
    expect((await row(ops)).email).toBe(ADMIN_EMAIL);
  });
});

describe('rate limit', () => {
  test('a client over its budget gets 429 with Retry-After, audited once (provisioning flood)', async () => {
    const limited = await startHarness({ scim: { rateLimit: { requests: 3, window: '1m' } } });
    try {
      const client = await scimClient(limited, 'entra');
      for (let i = 0; i < 3; i++) await client.get('/Users').expect(200);
      const refused = await client.get('/Users');
      expectScimError(refused, 429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expectScimError(await client.get('/Users'), 429);
      const rows = await limited.runtime.db.source.manager.findBy(limited.runtime.db.entities.AuditEvent, { event: 'scim.request_refused' });
      expect(rows.map((row) => JSON.parse(row.details).reason)).toEqual(['rate_limited']);
      expect(rows[0]!.actorId).toBe('scim:entra');
    } finally {
      await limited.close();
    }
  });
});
