import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import request from 'supertest';
import { runExportJob } from '../../src/export-jobs/run.js';
import { inviteByEmail } from '../../src/members/invite.js';
import { createToken } from '../../src/tokens/tokens.js';
import { signedInMember } from '../support/admin.js';
import { startHarness, type Harness } from '../support/harness.js';

// ajv-formats is CommonJS: under native ES modules the plugin is the module itself, typed as its `default`.
const addFormats = addFormatsModule.default ?? (addFormatsModule as unknown as typeof addFormatsModule.default);

type Method = 'get' | 'post' | 'patch';
interface DocOperation {
  operationId: string;
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>;
}
interface Document {
  openapi: string;
  paths: Record<string, Partial<Record<Method, DocOperation>>>;
  components: { schemas: Record<string, Record<string, unknown>> };
}

let h: Harness;
let doc: Document;
let admin: Awaited<ReturnType<typeof signedInMember>>;
let manager: string;
let reader: string;
let db: Harness['runtime']['db'];
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);

beforeAll(async () => {
  h = await startHarness();
  db = h.runtime.db;
  admin = await signedInMember(h, 'admin@example.com', 'Ada Admin');
  manager = (await createToken(h.runtime, { name: 'openapi-manager', permissions: ['accounts:manage', 'groups:assign'] }, 'test')).token;
  reader = (await createToken(h.runtime, { name: 'openapi-reader', permissions: ['accounts:read'] }, 'test')).token;
  doc = (await request(h.app).get('/admin/api/openapi.json').expect(200).expect('Content-Type', /application\/json/)).body as Document;
});
afterAll(() => h.close());

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const csv = (...rows: string[]) => `Email,First name,Last name\r\n${rows.join('\r\n')}\r\n`;

/** Every write operation of the document, with its path made concrete. */
function writeOperations(): Array<{ method: Method; path: string; operationId: string }> {
  return Object.entries(doc.paths).flatMap(([path, item]) => (Object.entries(item) as Array<[Method, DocOperation]>)
    .filter(([method]) => method !== 'get')
    .map(([method, operation]) => ({ method, path: path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000'), operationId: operation.operationId })));
}

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document with an operationId on every operation', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc) as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe('3.1.0');
    const ids = Object.values(doc.paths).flatMap((item) => Object.values(item).map((operation) => operation.operationId));
    expect(ids.length).toBeGreaterThan(30);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('answers every documented operation with a status and body the document allows', async () => {
    const exercised = new Set<string>();
    /** Checks one answer against the document and returns its body. */
    const check = (res: request.Response, method: Method, path: string, status: number) => {
      const operation = doc.paths[path]?.[method];
      if (!operation) throw new Error(`${method} ${path} is not in the document`);
      expect({ operation: operation.operationId, status: res.status, body: res.status === status ? 'ok' : res.body as unknown })
        .toEqual({ operation: operation.operationId, status, body: 'ok' });
      const content = operation.responses[String(res.status)]?.content;
      if (!content) throw new Error(`${operation.operationId} answered ${res.status}, which the document does not list`);
      if (content['text/csv']) {
        expect(res.headers['content-type']).toMatch(/^text\/csv/);
      } else {
        // `#/components/schemas/…` resolves against the root: the named schemas ride along.
        const validate = ajv.compile({ ...content['application/json']!.schema, components: { schemas: doc.components.schemas } });
        if (!validate(res.body)) throw new Error(`${operation.operationId} ${res.status}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(res.body).slice(0, 2000)}`);
      }
      exercised.add(operation.operationId);
      return res.body as Record<string, unknown> & { id: string };
    };
    const asToken = (method: Method, url: string, token = manager) => request(h.app)[method](url).set(bearer(token));
    const asAdmin = (method: Method, url: string) => admin.agent[method](url).set('x-csrf-token', admin.csrf);

    check(await asToken('get', '/admin/api/session'), 'get', '/admin/api/session', 200);
    check(await asAdmin('get', '/admin/api/session'), 'get', '/admin/api/session', 200);

    // Members in the states each action needs.
    const invited = check(await asToken('post', '/admin/api/members').send({ email: 'walk-invited@example.com', name: 'Walk Invited' }), 'post', '/admin/api/members', 201);
    const coded = check(await asToken('post', '/admin/api/members').send({ employeeId: 'E-WALK-1', name: 'Walk Coded' }), 'post', '/admin/api/members', 201);
    const revoked = await inviteByEmail(h.runtime, { email: 'walk-revoked@example.com', actorId: 'test' });
    const claimed = await signedInMember(h, 'walk-claimed@example.com', 'Walk Claimed');
    await db.source.manager.update(db.entities.Member, { id: claimed.id }, { employeeId: 'E-WALK-2' });

    check(await asToken('get', '/admin/api/members?status=invited&q=walk&group='), 'get', '/admin/api/members', 200);
    check(await asToken('get', `/admin/api/members/${claimed.id}`), 'get', '/admin/api/members/{id}', 200);
    check(await asToken('patch', `/admin/api/members/${invited.id}`).send({ title: 'Engineer', location: null }), 'patch', '/admin/api/members/{id}', 200);
    check(await asToken('post', `/admin/api/members/${invited.id}/groups`).send({ assign: ['Walkers'] }), 'post', '/admin/api/members/{id}/groups', 200);
    const act = async (id: string, action: string) => check(await asToken('post', `/admin/api/members/${id}/${action}`), 'post', `/admin/api/members/{id}/${action}`, 200);
    await act(invited.id, 'resend');
    await act(coded.id, 'access-code');
    await act(claimed.id, 'recovery-link');
    await act(claimed.id, 'recovery-code');
    await act(claimed.id, 'require-new-password');
    await act(revoked.id, 'revoke');
    await act(claimed.id, 'sign-out-everywhere');
    await act(coded.id, 'deactivate');

    const file = csv('walk-import@example.com,Walk,Import');
    check(await asToken('post', '/admin/api/imports?dryRun=true').set('Content-Type', 'text/csv').send(file), 'post', '/admin/api/imports', 200);
    const uploaded = check(await asToken('post', '/admin/api/imports/uploads?fileName=walk.csv').set('Content-Type', 'text/csv').send(file), 'post', '/admin/api/imports/uploads', 201);
    const uploadId = (uploaded.upload as { id: string }).id;
    check(await asToken('get', `/admin/api/imports/uploads/${uploadId}`), 'get', '/admin/api/imports/uploads/{id}', 200);
    check(await asToken('get', `/admin/api/imports/uploads/${uploadId}/preview`), 'get', '/admin/api/imports/uploads/{id}/preview', 200);
    check(await asToken('post', `/admin/api/imports/uploads/${uploadId}/apply`).send({ invite: 'later' }), 'post', '/admin/api/imports/uploads/{id}/apply', 200);

    const exported = check(await asToken('post', '/admin/api/exports').send({ status: 'all' }), 'post', '/admin/api/exports', 202);
    await runExportJob(h.runtime, exported.id);
    check(await asToken('get', `/admin/api/exports/${exported.id}`), 'get', '/admin/api/exports/{id}', 200);
    check(await asToken('get', `/admin/api/exports/${exported.id}/download`), 'get', '/admin/api/exports/{id}/download', 200);

    check(await asToken('get', `/admin/api/audit?memberId=${invited.id}&limit=5`), 'get', '/admin/api/audit', 200);

    const hook = check(await asToken('post', '/admin/api/webhooks').send({ name: 'walk-hook', url: 'https://hooks.example.com/in', events: ['member.invited'] }), 'post', '/admin/api/webhooks', 201);
    expect(hook.secret).toMatch(/^whsec_/);
    check(await asToken('get', '/admin/api/webhooks'), 'get', '/admin/api/webhooks', 200);
    check(await asToken('get', '/admin/api/webhooks/deliveries?limit=5'), 'get', '/admin/api/webhooks/deliveries', 200);
    check(await asToken('get', '/admin/api/webhooks/walk-hook'), 'get', '/admin/api/webhooks/{endpoint}', 200);
    check(await asToken('get', '/admin/api/webhooks/walk-hook/deliveries'), 'get', '/admin/api/webhooks/{endpoint}/deliveries', 200);
    check(await asToken('post', '/admin/api/webhooks/walk-hook/rotate'), 'post', '/admin/api/webhooks/{endpoint}/rotate', 200);
    check(await asToken('post', '/admin/api/webhooks/walk-hook/disable'), 'post', '/admin/api/webhooks/{endpoint}/disable', 200);
    check(await asToken('post', '/admin/api/webhooks/walk-hook/enable'), 'post', '/admin/api/webhooks/{endpoint}/enable', 200);
    check(await asToken('post', '/admin/api/webhooks/walk-hook/delete'), 'post', '/admin/api/webhooks/{endpoint}/delete', 200);

    check(await asToken('get', '/admin/api/tokens'), 'get', '/admin/api/tokens', 200);
    check(await asAdmin('post', '/admin/api/tokens').send({ name: 'walk-token', permissions: ['accounts:read'] }), 'post', '/admin/api/tokens', 201);
    check(await asAdmin('post', '/admin/api/tokens/walk-token/revoke'), 'post', '/admin/api/tokens/{token}/revoke', 200);

    // Errors have the document's one shape too.
    check(await asToken('get', '/admin/api/members/00000000-0000-4000-8000-000000000000'), 'get', '/admin/api/members/{id}', 404);
    check(await asToken('get', '/admin/api/audit?event=no.such_event'), 'get', '/admin/api/audit', 400);

    const documented = Object.values(doc.paths).flatMap((item) => Object.values(item).map((operation) => operation.operationId));
    expect(documented.filter((id) => !exercised.has(id))).toEqual([]);
  });

  it('refuses every write operation to a token with accounts:read, and changes nothing', async () => {
    // Attack: a leaked read-only token (a reporting script's) used to invite, deactivate, import, export or mint tokens.
    const members = await db.source.manager.count(db.entities.Member);
    const denied = () => db.source.manager.countBy(db.entities.AuditEvent, { event: 'admin.access_denied', actorId: 'token:openapi-reader' });
    const before = await denied();
    const writes = writeOperations();
    expect(writes.length).toBeGreaterThan(20);
    for (const { method, path, operationId } of writes) {
      const res = await request(h.app)[method](path).set(bearer(reader)).set('Content-Type', path.includes('/imports') ? 'text/csv' : 'application/json')
        .send(path.includes('/imports') ? csv('reader-import@example.com,Read,Only') : JSON.stringify({ email: 'reader-made@example.com', name: 'x', permissions: ['accounts:manage'] }));
      expect({ operationId, status: res.status, code: (res.body as { error?: { code?: string } }).error?.code }).toEqual({ operationId, status: 403, code: 'forbidden' });
    }
    expect(await db.source.manager.count(db.entities.Member)).toBe(members);
    expect(await denied()).toBeGreaterThanOrEqual(before + writes.length);
  });
});

describe('profile updates over the API', () => {
  it('changes the fields it names, audits which ones, and refuses bad values with readable messages', async () => {
    const member = await inviteByEmail(h.runtime, { email: 'patch-me@example.com', name: 'Patch Me', actorId: 'test' });
    const url = `/admin/api/members/${member.id}`;
    const changed = await request(h.app).patch(url).set(bearer(manager)).send({ department: ' Finance ', phone: '+44 20 7946 0000', name: '' }).expect(200);
    expect(changed.body.member).toMatchObject({ department: 'Finance', phone: '+44 20 7946 0000', name: null });
    const audit = await db.source.manager.findOneByOrFail(db.entities.AuditEvent, { event: 'member.updated', memberId: member.id });
    expect(audit.actorId).toBe('token:openapi-manager');
    expect(JSON.parse(audit.details)).toEqual({ fields: ['name', 'department', 'phone'] });

    const bad = await request(h.app).patch(url).set(bearer(manager)).send({ phone: 'call me maybe', locale: 'not a locale!' }).expect(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect(bad.body.error.message).toContain('phone: is not valid');
    expect(bad.body.error.message).toContain('locale: is not valid');
    // Attack: smuggling a field the API does not offer (status, email, password hash) through the profile update.
    const smuggled = await request(h.app).patch(url).set(bearer(manager)).send({ status: 'claimed', passwordHash: 'x' }).expect(400);
    expect(smuggled.body.error.code).toBe('validation_failed');
    await request(h.app).patch(url).set(bearer(manager)).send({}).expect(400);
    // Attack: a line break in a field, to forge log lines or CSV rows downstream.
    await request(h.app).patch(url).set(bearer(manager)).send({ title: 'Boss\nINFO forged' }).expect(400);
    const stored = await db.source.manager.findOneByOrFail(db.entities.Member, { id: member.id });
    expect(stored).toMatchObject({ status: 'invited', phone: '+44 20 7946 0000', title: null, locale: null });
    expect(await db.source.manager.countBy(db.entities.AuditEvent, { event: 'member.updated', memberId: member.id })).toBe(1);
  });

  it('leaves the fields a SCIM client manages to that client', async () => {
    const { scimClient, USER } = await import('../support/scim.js');
    const entra = await scimClient(h, 'patch-idp');
    const created = await entra.post('/Users', {
      schemas: [USER], userName: 'idp-managed@example.com', name: { givenName: 'Idp', familyName: 'Managed' },
      emails: [{ primary: true, value: 'idp-managed@example.com', type: 'work' }], displayName: 'Idp Managed', active: true,
    }).expect(201);
    const url = `/admin/api/members/${created.body.id as string}`;
    // Attack: an admin (or a token) renaming a member the IdP owns; the next SCIM sync would silently undo it.
    const refused = await request(h.app).patch(url).set(bearer(manager)).send({ name: 'Renamed Here', location: 'Leeds' }).expect(409);
    expect(refused.body.error.code).toBe('conflict');
    expect(refused.body.error.message).toContain('name is managed by patch-idp');
    const unchanged = await db.source.manager.findOneByOrFail(db.entities.Member, { id: created.body.id as string });
    expect(unchanged).toMatchObject({ name: 'Idp Managed', location: null });
    const allowed = await request(h.app).patch(url).set(bearer(manager)).send({ location: 'Leeds' }).expect(200);
    expect(allowed.body.member).toMatchObject({ name: 'Idp Managed', location: 'Leeds' });
  });
});

describe('the audit log over the API', () => {
  it('pages newest first with a cursor that yields every row exactly once, even while rows are added', async () => {
    const marker = `audit-page-${Date.now().toString(36)}`;
    const ids: string[] = [];
    for (let index = 0; index < 7; index += 1) ids.push((await inviteByEmail(h.runtime, { email: `${marker}-${index}@example.com`, actorId: marker })).id);
    const expected = await db.source.manager.find(db.entities.AuditEvent, { where: { actorId: marker }, order: { id: 'DESC' } });
    expect(expected.length).toBe(14);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 20; pages += 1) {
      const query: string = `/admin/api/audit?actor=${marker}&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await request(h.app).get(query).set(bearer(reader)).expect(200);
      seen.push(...(page.body.events as Array<{ id: string; actorId: string }>).map((event) => event.id));
      // A newer row arriving mid-walk lands before the cursor: it neither repeats nor shifts a row.
      if (pages === 1) await inviteByEmail(h.runtime, { email: `${marker}-late@example.com`, actorId: marker });
      cursor = page.body.next as string | null;
      if (!cursor) break;
    }
    expect(seen).toEqual(expected.map((row) => String(row.id)));

    const invitedOnly = await request(h.app).get(`/admin/api/audit?actor=${marker}&event=member.invited&memberId=${ids[2]}`).set(bearer(reader)).expect(200);
    expect(invitedOnly.body.events).toHaveLength(1);
    expect(invitedOnly.body.events[0]).toMatchObject({ event: 'member.invited', memberId: ids[2], actorId: marker });
    const future = new Date(h.runtime.now().getTime() + 60_000).toISOString();
    const none = await request(h.app).get(`/admin/api/audit?actor=${marker}&from=${future}`).set(bearer(reader)).expect(200);
    expect(none.body).toEqual({ events: [], next: null });
    const before = await request(h.app).get(`/admin/api/audit?actor=${marker}&to=${future}&limit=500`).set(bearer(reader)).expect(200);
    expect(before.body.events).toHaveLength(16);
    const bad = await request(h.app).get('/admin/api/audit?from=yesterday&limit=9999').set(bearer(reader)).expect(400);
    expect(bad.body.error.message).toMatch(/from: .*; limit: /);
  });
});

describe('imports and exports started by a service token', () => {
  it('keeps a token\'s import uploads to that token', async () => {
    const other = (await createToken(h.runtime, { name: 'openapi-upload-other', permissions: ['accounts:manage'] }, 'test')).token;
    const uploaded = await request(h.app).post('/admin/api/imports/uploads').set(bearer(manager)).set('Content-Type', 'text/csv')
      .send(csv('upload-owner@example.com,Upload,Owner')).expect(201);
    const id = uploaded.body.upload.id as string;
    expect(uploaded.body.report).toMatchObject({ dryRun: true, valid: 1, created: 1 });
    // Attack: another token previewing (personal data) or applying a file it did not upload.
    await request(h.app).get(`/admin/api/imports/uploads/${id}/preview`).set(bearer(other)).expect(404);
    await request(h.app).post(`/admin/api/imports/uploads/${id}/apply`).set(bearer(other)).send({}).expect(404);
    await admin.agent.post(`/admin/api/imports/uploads/${id}/apply`).set('x-csrf-token', admin.csrf).send({}).expect(404);
    expect(await db.source.manager.countBy(db.entities.Member, { email: 'upload-owner@example.com' })).toBe(0);
    const applied = await request(h.app).post(`/admin/api/imports/uploads/${id}/apply`).set(bearer(manager)).send({}).expect(200);
    expect(applied.body).toMatchObject({ upload: { id, state: 'applied' }, report: { dryRun: false, created: 1 } });
    // Attack: a replayed apply (double submit) importing the file twice.
    await request(h.app).post(`/admin/api/imports/uploads/${id}/apply`).set(bearer(manager)).send({}).expect(404);
    expect(await db.source.manager.countBy(db.entities.Member, { email: 'upload-owner@example.com' })).toBe(1);
  });

  it('belong to that token: another token and a signed-in admin can neither see nor download them', async () => {
    const other = (await createToken(h.runtime, { name: 'openapi-other', permissions: ['accounts:manage'] }, 'test')).token;
    await inviteByEmail(h.runtime, { email: 'exported-by-token@example.com', actorId: 'test' });
    const asked = await request(h.app).post('/admin/api/exports').set(bearer(manager)).send({ status: 'invited' }).expect(202);
    const id = asked.body.id as string;
    await request(h.app).get(`/admin/api/exports/${id}/download`).set(bearer(manager)).expect(409);
    await runExportJob(h.runtime, id);
    const job = await db.source.manager.findOneByOrFail(db.entities.ExportJob, { id });
    expect(job).toMatchObject({ adminId: null, state: 'ready' });

    // Attack: another integration (or a colleague) reading a member list it did not ask for by guessing its id.
    await request(h.app).get(`/admin/api/exports/${id}`).set(bearer(other)).expect(404);
    const refused = await request(h.app).get(`/admin/api/exports/${id}/download`).set(bearer(other)).expect(404);
    expect(refused.text).not.toContain('@example.com');
    await admin.agent.get(`/admin/api/exports/${id}`).expect(404);
    await admin.agent.get(`/admin/api/exports/${id}/download`).expect(404);
    const refusals = await db.source.manager.find(db.entities.AuditEvent, { where: { event: 'export.download_refused' }, order: { id: 'ASC' } });
    expect(refusals.slice(-2).map((row) => [row.actorId, JSON.parse(row.details)])).toEqual([
      ['token:openapi-other', { exportId: id, reason: 'other_caller' }],
      [admin.id, { exportId: id, reason: 'other_caller' }],
    ]);

    const status = await request(h.app).get(`/admin/api/exports/${id}`).set(bearer(manager)).expect(200);
    expect(status.body).toMatchObject({ id, state: 'ready', byToken: true });
    const file = await request(h.app).get(`/admin/api/exports/${id}/download`).set(bearer(manager)).expect(200).expect('Content-Type', /text\/csv/);
    expect(file.text).toContain('exported-by-token@example.com');
    const downloaded = await db.source.manager.find(db.entities.AuditEvent, { where: { event: 'export.downloaded' }, order: { id: 'DESC' }, take: 1 });
    expect(downloaded[0]!.actorId).toBe('token:openapi-manager');

    // Attack: after its link expires the file is gone for its owner too.
    h.advance(h.config.exports.linkTtl + 1000);
    await request(h.app).get(`/admin/api/exports/${id}/download`).set(bearer(manager)).expect(404);
  });

});
