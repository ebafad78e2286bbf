import { DENIALS_AUDITED } from '../../src/admin/require-permission.js';
import { newAgent } from '../support/browser-agent.js';
import { signedInMember } from '../support/admin.js';
import { startHarness, type Harness } from '../support/harness.js';

// Every admin surface, with the permission it needs. `:id` is a real member's id.
const READ_ROUTES: Array<[string, string]> = [
  ['GET', '/admin'],
  ['GET', '/admin/people'],
  ['GET', '/admin/people/:id'],
  ['GET', '/admin/api/session'],
  ['GET', '/admin/api/members'],
  ['GET', '/admin/api/members/:id'],
];
const MANAGE_ROUTES: Array<[string, string]> = [
  ['GET', '/admin/invite'],
  ['POST', '/admin/invite'],
  ['GET', '/admin/import'],
  ['POST', '/admin/import'],
  ['POST', '/admin/import/00000000-0000-4000-8000-000000000000'],
  ['GET', '/admin/export'],
  ['POST', '/admin/export'],
  ['POST', '/admin/export/access-codes'],
  ['GET', '/admin/exports/00000000-0000-4000-8000-000000000000/download?token=x'],
  ['POST', '/admin/people/:id/resend'],
  ['POST', '/admin/people/:id/access-code'],
  ['POST', '/admin/people/:id/recovery-link'],
  ['POST', '/admin/people/:id/recovery-code'],
  ['POST', '/admin/people/:id/revoke'],
  ['POST', '/admin/people/:id/deactivate'],
  ['POST', '/admin/people/:id/sign-out-everywhere'],
  ['POST', '/admin/people/:id/require-new-password'],
  ['POST', '/admin/api/members'],
  ['POST', '/admin/api/members/:id/resend'],
  ['POST', '/admin/api/members/:id/access-code'],
  ['POST', '/admin/api/members/:id/recovery-link'],
  ['POST', '/admin/api/members/:id/recovery-code'],
  ['POST', '/admin/api/members/:id/revoke'],
  ['POST', '/admin/api/members/:id/deactivate'],
  ['POST', '/admin/api/members/:id/sign-out-everywhere'],
  ['POST', '/admin/api/members/:id/require-new-password'],
  ['POST', '/admin/api/imports'],
  ['POST', '/admin/api/exports'],
  ['GET', '/admin/api/exports/00000000-0000-4000-8000-000000000000'],
];

let h: Harness;
let target: string;
let admin: Awaited<ReturnType<typeof signedInMember>>;

beforeAll(async () => {
  h = await startHarness({
    admins: ['admin@example.com', { member: 'reader@example.com', permissions: ['accounts:read'] }],
  });
  target = (await signedInMember(h, 'target@example.com')).id;
  admin = await signedInMember(h, 'admin@example.com');
});
afterAll(() => h.close());

async function deniedAudits(actorId: string): Promise<number> {
  return h.runtime.db.source.manager.countBy(h.runtime.db.entities.AuditEvent, { event: 'admin.access_denied', actorId });
}

function call(agent: ReturnType<typeof newAgent>, method: string, path: string, csrf: string) {
  const url = path.replace(':id', target);
  return method === 'GET' ? agent.get(url) : agent.post(url).set('x-csrf-token', csrf).type('form').send({ _csrf: csrf, confirm: 'yes' });
}

describe('admin access', () => {
  it('stops privilege escalation: a signed-in member without the admin role gets 403 on every admin page and API call, each attempt audited', async () => {
    const member = await signedInMember(h, 'plain@example.com');
    for (const [method, path] of [...READ_ROUTES, ...MANAGE_ROUTES]) {
      const before = await deniedAudits(member.id);
      const res = await call(member.agent, method, path, member.csrf);
      expect([method, path, res.status]).toEqual([method, path, 403]);
      expect(await deniedAudits(member.id)).toBe(before + 1);
    }
    const api = await member.agent.get('/admin/api/members').expect(403);
    expect(api.body.error.code).toBe('forbidden');
  });

  it('stops audit flooding: a member probing the admin area past the audited number of refusals gets 429, audited once more', async () => {
    const prober = await signedInMember(h, 'prober@example.com');
    for (let index = 0; index < DENIALS_AUDITED; index += 1) await prober.agent.get('/admin/api/members').expect(403);
    const throttled = await prober.agent.get('/admin/api/members').expect(429);
    expect(throttled.body.error.code).toBe('rate_limited');
    await prober.agent.get('/admin/people').expect(429);
    const rows = await h.runtime.db.source.manager.findBy(h.runtime.db.entities.AuditEvent, { event: 'admin.access_denied', actorId: prober.id });
    expect(rows).toHaveLength(DENIALS_AUDITED + 1);
    expect(rows.filter((row) => JSON.parse(row.details).reason === 'throttled')).toHaveLength(1);
  });

  it('stops a read-only admin from changing accounts: accounts:read sees people, every manage route is 403 and audited', async () => {
    const reader = await signedInMember(h, 'reader@example.com');
    for (const [method, path] of READ_ROUTES) {
      const res = await call(reader.agent, method, path, reader.csrf);
      expect([method, path, res.status === 200 || res.status === 303]).toEqual([method, path, true]);
    }
    for (const [method, path] of MANAGE_ROUTES) {
      const before = await deniedAudits(reader.id);
      const res = await call(reader.agent, method, path, reader.csrf);
      expect([method, path, res.status]).toEqual([method, path, 403]);
      expect(await deniedAudits(reader.id)).toBe(before + 1);
    }
    const target_ = await h.runtime.db.source.manager.findOneBy(h.runtime.db.entities.Member, { id: target });
    expect(target_!.status).toBe('claimed');
  });

  it('stops anonymous access: the pages send to sign-in and the API answers 401 JSON', async () => {
    const anonymous = newAgent(h.app);
    const page = await anonymous.get('/admin/people').expect(303);
    expect(page.headers.location).toBe('/login?returnTo=%2Fadmin%2Fpeople');
    const api = await anonymous.get('/admin/api/members').expect(401);
    expect(api.body.error.code).toBe('not_signed_in');
  });

  it('stops cross-site request forgery on the admin API: a POST without the session\'s token is refused', async () => {
    const forged = await admin.agent.post('/admin/api/members').send({ email: 'forged@example.com' }).expect(403);
    expect(forged.body.error.code).toBe('csrf_invalid');
    expect(await h.runtime.db.source.manager.countBy(h.runtime.db.entities.Member, { emailNormalized: 'forged@example.com' })).toBe(0);
    const session = await admin.agent.get('/admin/api/session').expect(200);
    expect(session.body.permissions.sort()).toEqual(['accounts:manage', 'accounts:read', 'groups:assign']);
    const made = await admin.agent.post('/admin/api/members').set('x-csrf-token', session.body.csrfToken).send({ email: 'made@example.com' }).expect(201);
    expect(made.body).toMatchObject({ email: 'made@example.com', status: 'invited' });
  });

  it('stops an admin session from flooding the database with exports: the eleventh in an hour gets 429 with Retry-After', async () => {
    const session = await admin.agent.get('/admin/api/session').expect(200);
    for (let index = 0; index < 10; index += 1) {
      await admin.agent.post('/admin/api/exports').set('x-csrf-token', session.body.csrfToken).send({ status: 'claimed' }).expect(202);
    }
    const refused = await admin.agent.post('/admin/api/exports').set('x-csrf-token', session.body.csrfToken).send({ status: 'claimed' }).expect(429);
    expect(refused.body.error.code).toBe('rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(await h.runtime.db.source.manager.countBy(h.runtime.db.entities.ExportJob, { adminId: admin.id })).toBe(10);
    await admin.agent.post('/admin/api/exports').set('x-csrf-token', session.body.csrfToken).send({ status: 'claimed' }).expect(429);
    const audited = await h.runtime.db.source.manager.findBy(h.runtime.db.entities.AuditEvent, { event: 'admin.access_denied', actorId: admin.id });
    expect(audited.map((row) => JSON.parse(row.details))).toEqual([expect.objectContaining({ reason: 'throttled', limit: 'exports' })]);
  });

  it('stops leaks of personal data and claim links through caches and Referer: admin pages are no-store and no-referrer', async () => {
    const res = await admin.agent.get('/admin/people').expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });
});
