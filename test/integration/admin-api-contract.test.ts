import request from 'supertest';
import { inviteByEmail } from '../../src/members/invite.js';
import { createToken } from '../../src/tokens/tokens.js';
import { signedInMember } from '../support/admin.js';
import { startHarness, type Harness } from '../support/harness.js';
import { mailsTo } from '../support/outbox.js';

let h: Harness;
let manager: string;
let db: Harness['runtime']['db'];
type Doc = { paths: Record<string, Record<string, any>>; components: { schemas: Record<string, any> } };
let doc: Doc;

beforeAll(async () => {
  h = await startHarness();
  db = h.runtime.db;
  manager = (await createToken(h.runtime, { name: 'contract-manager', permissions: ['accounts:manage', 'groups:assign'] }, 'test')).token;
  doc = (await request(h.app).get('/admin/api/openapi.json').expect(200)).body as Doc;
});
afterAll(() => h.close());

const api = (method: 'get' | 'post' | 'patch', url: string) => request(h.app)[method](url).set('Authorization', `Bearer ${manager}`);

describe('the OpenAPI document', () => {
  it('names the shared schemas and refers to them', () => {
    for (const name of ['Member', 'MemberDetail', 'MemberPage', 'AuditEvent', 'ImportReport', 'ExportJob', 'WebhookEndpoint', 'Delivery', 'Token']) {
      expect(doc.components.schemas[name]).toMatchObject({ type: 'object' });
    }
    expect(doc.paths['/admin/api/members/{id}']!.get.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/MemberDetail' });
    expect(doc.components.schemas.MemberPage.properties.counts).toMatchObject({ type: 'object', required: ['provisioned', 'invited', 'claimed', 'deactivated'] });
    expect(doc.components.schemas.MemberPage.properties.counts.propertyNames).toBeUndefined();
    expect(doc.components.schemas.AuditEvent.properties.details).toMatchObject({ type: 'object' });
    expect(JSON.stringify(doc)).not.toContain('#/$defs/');
  });

  it('states the limits the server enforces', () => {
    const patch = doc.paths['/admin/api/members/{id}']!.patch;
    expect(patch.requestBody.content['application/json'].schema.properties.title.anyOf[0]).toMatchObject({ type: 'string', maxLength: 200 });
    expect(patch.parameters[0]).toMatchObject({ name: 'id', in: 'path', schema: { format: 'uuid' } });
    const groups = doc.paths['/admin/api/members/{id}/groups']!.post.requestBody.content['application/json'].schema.properties.assign;
    expect(groups.anyOf[1]).toMatchObject({ type: 'array', maxItems: 50, items: { maxLength: 100 } });
    expect(doc.paths['/admin/api/imports/uploads/{id}/apply']!.post.requestBody.required).toBe(false);
    expect(doc.paths['/admin/api/members']!.post.requestBody.required).toBe(true);
    const invite = doc.paths['/admin/api/members']!.post.responses;
    expect(invite['409']).toBeDefined();
    expect(invite['413']).toBeDefined();
    expect(invite['415']).toBeDefined();
    expect(invite['429'].headers['Retry-After']).toBeDefined();
    expect(invite['401'].headers['WWW-Authenticate']).toBeDefined();
    expect(doc.paths['/admin/api/members']!.get.parameters.map((p: { name: string }) => p.name)).toContain('limit');
  });
});

describe('invite over the API', () => {
  it('answers 409 for an address that already belongs to a member, and writes and mails nothing', async () => {
    const first = await api('post', '/admin/api/members').send({ email: 'twice@example.com', name: 'First Name' }).expect(201);
    const mails = mailsTo(h.dataDir, 'twice@example.com').length;
    const audits = await db.source.manager.countBy(db.entities.AuditEvent, { memberId: first.body.id as string });
    // Attack (misuse): a retried script silently invalidating the link already mailed and renaming the member.
    const again = await api('post', '/admin/api/members').send({ email: 'Twice@example.com', name: 'Other Name' }).expect(409);
    expect(again.body.error.code).toBe('conflict');
    expect(again.body.error.message).toContain(first.body.id as string);
    expect(again.body.error.message).toContain('resend');
    expect(mailsTo(h.dataDir, 'twice@example.com')).toHaveLength(mails);
    expect(await db.source.manager.countBy(db.entities.AuditEvent, { memberId: first.body.id as string })).toBe(audits);
    expect(await db.source.manager.findOneByOrFail(db.entities.Member, { id: first.body.id as string })).toMatchObject({ name: 'First Name' });
    // The first link still works: it was not replaced.
    await request(h.app).get(new URL(first.body.claimUrl as string).pathname).expect((res) => expect(res.status).not.toBe(404));

    const claimed = await signedInMember(h, 'claimed-invitee@example.com');
    expect((await api('post', '/admin/api/members').send({ email: 'claimed-invitee@example.com' }).expect(409)).body.error.message).toContain(claimed.id);
  });

  it('answers concurrent invites of one new address or employee ID with one 201 and 409s, and the link or code it returned stays valid', async () => {
    // Attack (misuse): a sync retrying in parallel, or two replicas, each passing the 409 check before the other
    // writes; the later one would re-issue and kill the link or code the first caller was given.
    for (const body of [{ email: 'racer@example.com' }, { employeeId: 'RACE-1' }]) {
      const answers = await Promise.all(Array.from({ length: 6 }, () => api('post', '/admin/api/members').send(body)));
      const created = answers.filter((res) => res.status === 201);
      expect(created).toHaveLength(1);
      for (const res of answers.filter((each) => each.status !== 201)) {
        expect(res.status).toBe(409);
        expect(res.body.error.code).toBe('conflict');
      }
      const memberId = created[0]!.body.id as string;
      const invited = await db.source.manager.countBy(db.entities.AuditEvent, { memberId, event: 'member.invited' });
      expect(invited).toBe(1);
      const live = (await db.source.manager.findBy('email' in body ? db.entities.ClaimLink : db.entities.AccessCode, { memberId }))
        .filter((row) => row.revokedAt === null);
      expect(live).toHaveLength(1);
    }
  });

  it('refuses unknown fields', async () => {
    const res = await api('post', '/admin/api/members').send({ email: 'extra@example.com', admin: true }).expect(400);
    expect(res.body.error.message).toContain('admin');
    expect(await db.source.manager.countBy(db.entities.Member, { email: 'extra@example.com' })).toBe(0);
  });
});

describe('listing members', () => {
  it('refuses a corrupt cursor instead of restarting at page 1', async () => {
    for (const cursor of ['garbage', Buffer.from('after|not-a-date|x').toString('base64url'), Buffer.from('after|2026-01-01T00:00:00.000Z|nope').toString('base64url')]) {
      const res = await api('get', `/admin/api/members?cursor=${cursor}`).expect(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.message).toMatch(/^cursor: /);
    }
  });

  // Attack: a cursor past PostgreSQL's bigint turned into a 500 (an error page for any caller who can read the audit).
  it('refuses an id cursor beyond the bigint range on the audit log and the delivery log', async () => {
    for (const path of ['/admin/api/audit?cursor=9999999999999999999', '/admin/api/webhooks/deliveries?before=9223372036854775808']) {
      const res = await api('get', path).expect(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    await api('get', '/admin/api/audit?cursor=9223372036854775807').expect(200);
  });

  it('pages by limit, and names the statuses a bad one could be', async () => {
    for (let index = 0; index < 3; index += 1) await inviteByEmail(h.runtime, { email: `limit-${index}@example.com`, actorId: 'test' });
    const page = await api('get', '/admin/api/members?limit=2&q=limit-').expect(200);
    expect(page.body.members).toHaveLength(2);
    const rest = await api('get', `/admin/api/members?limit=2&q=limit-&cursor=${page.body.next as string}`).expect(200);
    expect(rest.body.members).toHaveLength(1);
    await api('get', '/admin/api/members?limit=0').expect(400);
    await api('get', '/admin/api/members?limit=201').expect(400);
    const weird = await api('get', '/admin/api/members?status=weird').expect(400);
    expect(weird.body.error.message).toBe('status: expected one of all, provisioned, invited, claimed, deactivated');
    await api('get', '/admin/api/members?status=all').expect(200);
  });
});

describe('request bodies', () => {
  it('answers 415 to a form or text body on a JSON operation, and writes nothing', async () => {
    // Attack: a cross-site form post (urlencoded, no preflight) reaching a JSON write.
    const form = await api('post', '/admin/api/members').type('form').send('email=form-post@example.com').expect(415);
    expect(form.body.error.code).toBe('unsupported_media_type');
    await api('post', '/admin/api/members').set('Content-Type', 'text/plain').send('{"email":"text-post@example.com"}').expect(415);
    expect(await db.source.manager.countBy(db.entities.Member, { email: 'form-post@example.com' })).toBe(0);
    await api('post', '/admin/api/imports/uploads').set('Content-Type', 'application/json').send('{}').expect(415);
  });

  it('tells a script signed in with the session cookie where the CSRF token comes from', async () => {
    const admin = await signedInMember(h, 'admin@example.com', 'Ada Admin');
    // Attack: a cross-site write riding the admin's cookie, without the token.
    const res = await admin.agent.post('/admin/api/members').send({ email: 'csrf-less@example.com' }).expect(403);
    expect(res.body.error.code).toBe('csrf_invalid');
    expect(res.body.error.message).toContain('x-csrf-token');
    expect(await db.source.manager.countBy(db.entities.Member, { email: 'csrf-less@example.com' })).toBe(0);
  });

  it('says the JSON body is too large, not an upload', async () => {
    const res = await api('post', '/admin/api/members').send({ email: 'big@example.com', name: 'x'.repeat(40_000) }).expect(413);
    expect(res.body.error).toMatchObject({ code: 'payload_too_large', message: 'The request body is too large.' });
  });

  it('refuses unknown fields on an action, an export and a profile change (with one message)', async () => {
    const member = await inviteByEmail(h.runtime, { email: 'strict@example.com', actorId: 'test' });
    await api('post', `/admin/api/members/${member.id}/resend`).send({ force: true }).expect(400);
    await api('post', '/admin/api/exports').send({ status: 'all', columns: ['passwordHash'] }).expect(400);
    const patch = await api('patch', `/admin/api/members/${member.id}`).send({ nickname: 'x' }).expect(400);
    expect(patch.body.error.message).not.toContain('name at least one field');
  });
});

describe('member fields', () => {
  // A workforce's HR data names languages claimgate has no catalogue for (they get the default one): any real tag is
  // kept, anything that is no language tag is refused by the API and the import alike.
  it('stores language tags and refuses what is none', async () => {
    const member = await inviteByEmail(h.runtime, { email: 'locale@example.com', actorId: 'test' });
    await api('patch', `/admin/api/members/${member.id}`).send({ locale: 'en_GB' }).expect(400);
    await api('patch', `/admin/api/members/${member.id}`).send({ locale: 'zh-Hant-TW' }).expect(200);
    await api('patch', `/admin/api/members/${member.id}`).send({ locale: 'en-GB' }).expect(200);
    const csv = 'Email,First name,Last name,Locale\r\nlocale-csv@example.com,Lo,Cale,english please\r\n';
    const report = await api('post', '/admin/api/imports?dryRun=true').set('Content-Type', 'text/csv').send(csv).expect(200);
    expect(report.body).toMatchObject({ valid: 0, invalid: 1 });
  });

  it('names the missing employee ID when a code cannot be issued', async () => {
    const claimed = await signedInMember(h, 'no-employee-id@example.com');
    const res = await api('post', `/admin/api/members/${claimed.id}/recovery-code`).expect(409);
    expect(res.body.error.message).toContain('employee ID');
  });

  it('names the state, not the employee ID, when an ID would not make the action available', async () => {
    const claimed = await signedInMember(h, 'deactivated-no-id@example.com');
    await api('post', `/admin/api/members/${claimed.id}/deactivate`).send({}).expect(200);
    const res = await api('post', `/admin/api/members/${claimed.id}/recovery-code`).expect(409);
    expect(res.body.error.message).toContain('deactivated');
    expect(res.body.error.message).not.toContain('employee ID');
  });
});

describe('webhooks', () => {
  it('refuses a name the API uses as a path word, and keeps each event once', async () => {
    await api('post', '/admin/api/webhooks').send({ name: 'deliveries', url: 'https://hooks.example.com/in' }).expect(400);
    const made = await api('post', '/admin/api/webhooks').send({ name: 'dedupe', url: 'https://hooks.example.com/in', events: ['member.invited', 'member.invited'] }).expect(201);
    expect(made.body.endpoint.events).toEqual(['member.invited']);
  });

  it('disables once: a second disable moves no timestamp and writes no audit row', async () => {
    await api('post', '/admin/api/webhooks').send({ name: 'twice-off', url: 'https://hooks.example.com/in' }).expect(201);
    const first = await api('post', '/admin/api/webhooks/twice-off/disable').expect(200);
    const rows = await db.source.manager.countBy(db.entities.AuditEvent, { event: 'webhook.endpoint_changed' });
    h.advance(60_000);
    const second = await api('post', '/admin/api/webhooks/twice-off/disable').expect(200);
    expect(second.body.endpoint.disabledAt).toBe(first.body.endpoint.disabledAt);
    expect(await db.source.manager.countBy(db.entities.AuditEvent, { event: 'webhook.endpoint_changed' })).toBe(rows);
  });
});

describe('imports', () => {
  it('answers 409 to a preview of an applied upload, and records the request on group audit rows', async () => {
    const csv = 'Email,First name,Last name,Groups\r\nimport-audit@example.com,Im,Port,Audited\r\n';
    const uploaded = await api('post', '/admin/api/imports/uploads').set('Content-Type', 'text/csv').set('User-Agent', 'contract-test').send(csv).expect(201);
    const id = uploaded.body.upload.id as string;
    await api('post', `/admin/api/imports/uploads/${id}/apply`).set('User-Agent', 'contract-test').send({}).expect(200);
    const res = await api('get', `/admin/api/imports/uploads/${id}/preview`).expect(409);
    expect(res.body.error.message).toContain('applied');
    const member = await db.source.manager.findOneByOrFail(db.entities.Member, { email: 'import-audit@example.com' });
    const row = await db.source.manager.findOneByOrFail(db.entities.AuditEvent, { event: 'member.groups_assigned', memberId: member.id });
    expect(row).toMatchObject({ userAgent: 'contract-test' });
    expect(row.requestId).toBeTruthy();
  });

  it('lists at most 100 valid rows in an upload\'s answer, with the count of all', async () => {
    const rows = Array.from({ length: 150 }, (_, index) => `bulk-${index}@example.com,Bulk,Row`);
    const uploaded = await api('post', '/admin/api/imports/uploads').set('Content-Type', 'text/csv').send(`Email,First name,Last name\r\n${rows.join('\r\n')}\r\n`).expect(201);
    expect(uploaded.body.report.valid).toBe(150);
    expect(uploaded.body.report.validRows).toHaveLength(100);
  });
});
