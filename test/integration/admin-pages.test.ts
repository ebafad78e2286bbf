import { csrfFrom, newAgent } from '../support/browser-agent.js';
import { signedInMember } from '../support/admin.js';
import { startHarness, type Harness } from '../support/harness.js';
import { mailsTo } from '../support/outbox.js';
import { inviteByEmail } from '../../src/members/invite.js';
import { inviteByEmployeeId } from '../../src/members/invite-employee.js';
import { findPeople } from '../../src/admin/people-query.js';

const HEADER = 'Email,Employee ID,First name,Last name,Job Title,Department,Location,Locale,Manager Email,Login Method,Start Date';

let h: Harness;
let admin: Awaited<ReturnType<typeof signedInMember>>;

beforeAll(async () => {
  h = await startHarness({ imports: { maxBytes: 64 * 1024 } });
  admin = await signedInMember(h, 'admin@example.com', 'Ada Admin');
});
afterAll(() => h.close());

async function token(path: string): Promise<string> {
  return csrfFrom((await admin.agent.get(path).expect(200)).text);
}

describe('people pages', () => {
  it('filters by status, searches name, email and employee ID, and pages without repeating or skipping anyone', async () => {
    for (let index = 0; index < 120; index += 1) {
      await inviteByEmail(h.runtime, { email: `pager${String(index).padStart(3, '0')}@list.example`, name: `Pager ${index}`, actorId: 'test' });
    }
    await inviteByEmployeeId(h.runtime, { employeeId: 'FLOOR-77', name: 'Frontline Fran', actorId: 'test' });

    const seen: string[] = [];
    let url: string | null = '/admin/people?status=invited&q=list.example';
    while (url) {
      const page = await admin.agent.get(url).expect(200);
      seen.push(...[...page.text.matchAll(/pager(\d{3})@list\.example/g)].map((match) => match[1]!));
      const next = /<a href="([^"]+)" rel="next">/.exec(page.text);
      url = next ? next[1]!.replace(/&amp;/g, '&') : null;
    }
    expect(seen).toHaveLength(120);
    // The claim-step progress line never shows on admin pages.
    expect((await admin.agent.get('/admin/people').expect(200)).text).not.toContain('class="progress"');
    expect(new Set(seen).size).toBe(120);

    const byName = await admin.agent.get('/admin/people?q=FRONTLINE').expect(200);
    expect(byName.text).toContain('Frontline Fran');
    // Each status its own colour class and its word, so colour is never the only signal.
    expect(byName.text).toContain('<span class="status status--invited">invited</span>');
    expect(byName.text).not.toContain('pager001@');
    const byEmployee = await admin.agent.get('/admin/people?q=floor-7').expect(200);
    expect(byEmployee.text).toContain('FLOOR-77');
    const claimed = await admin.agent.get('/admin/people?status=claimed').expect(200);
    expect(claimed.text).toContain('admin@example.com');
    expect(claimed.text).not.toContain('pager001@');

    // Paging backwards returns the same people as forwards.
    const first = await findPeople(h.runtime.db, { status: 'invited' }, undefined, 25);
    const second = await findPeople(h.runtime.db, { status: 'invited' }, first.next!, 25);
    const back = await findPeople(h.runtime.db, { status: 'invited' }, second.previous!, 25);
    expect(back.members.map((member) => member.id)).toEqual(first.members.map((member) => member.id));
  });

  it('downloads the access codes to print from the web, audited', async () => {
    const invited = await inviteByEmployeeId(h.runtime, { employeeId: 'PRINT-1', name: 'Pat Print', actorId: 'test' });
    const res = await admin.agent.post('/admin/export/access-codes').type('form').send({ _csrf: await token('/admin/export') }).expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.text).toContain(`PRINT-1,Pat Print,invited,${invited.accessCode}`);
    const events = await h.runtime.db.source.manager.findBy(h.runtime.db.entities.AuditEvent, { actorId: admin.id, event: 'export.downloaded' });
    expect(events.map((row) => JSON.parse(row.details).kind)).toContain('access_codes');
  });

  it('stops SQL wildcard and injection tricks in the search: % and _ match themselves, quotes are data', async () => {
    const wildcard = await admin.agent.get('/admin/people?q=%25').expect(200);
    expect(wildcard.text).toContain('Nobody matches.');
    const quoted = await admin.agent.get(`/admin/people?q=${encodeURIComponent("' OR 1=1 --")}`).expect(200);
    expect(quoted.text).toContain('Nobody matches.');
    const badStatus = await admin.agent.get('/admin/people?status=root').expect(400);
    expect(badStatus.text).toContain('Status must be one of');
    // A forged cursor is ignored: the first page comes back.
    const firstPage = await admin.agent.get('/admin/people').expect(200);
    const badCursor = await admin.agent.get('/admin/people?cursor=not-a-cursor').expect(200);
    const rows = (html: string) => [...html.matchAll(/href="\/admin\/people\/([0-9a-f-]{36})"/g)].map((match) => match[1]);
    expect(rows(badCursor.text)).toEqual(rows(firstPage.text));
    expect(rows(firstPage.text)).toHaveLength(50);
  });

  it('shows a member with their claim history from the audit log', async () => {
    const invited = await inviteByEmail(h.runtime, { email: 'history@example.com', name: 'Hilda History', actorId: admin.id });
    await newAgent(h.app).get(new URL(invited.claimUrl).pathname).expect(200);
    const page = await admin.agent.get(`/admin/people/${invited.id}`).expect(200);
    expect(page.text).toContain('Hilda History');
    // The admin who invited is named by email, not by an internal id.
    expect(page.text).toContain('<td>admin@example.com</td>');
    const order = ['claim.link_opened', 'member.invited', 'member.provisioned'].map((event) => page.text.indexOf(`<td>${event}</td>`));
    expect(order.every((index) => index > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    await admin.agent.get('/admin/people/00000000-0000-4000-8000-000000000000').expect(404);
    await admin.agent.get('/admin/people/..%2F..%2Fetc').expect(404);
  });
});

describe('member actions from the pages', () => {
  it('resends the invitation with the link that still works (an exported copy keeps working)', async () => {
    const invited = await inviteByEmail(h.runtime, { email: 'resend@example.com', actorId: 'test' });
    const path = `/admin/people/${invited.id}`;
    await admin.agent.post(`${path}/resend`).type('form').send({ _csrf: await token(path) }).expect(303);
    const mails = mailsTo(h.dataDir, 'resend@example.com');
    expect(mails).toHaveLength(2);
    expect(mails[1]).toContain(invited.claimUrl);
    await newAgent(h.app).get(new URL(invited.claimUrl).pathname).expect(200);
  });

  it('revokes only after confirmation, and the old link dies', async () => {
    const invited = await inviteByEmail(h.runtime, { email: 'revoke@example.com', name: 'Rita Revoke', actorId: 'test' });
    const path = `/admin/people/${invited.id}`;
    const confirm = await admin.agent.post(`${path}/revoke`).type('form').send({ _csrf: await token(path) }).expect(200);
    // The question names the member: an admin with several tabs open revokes the one they meant, not another.
    expect(confirm.text).toContain('Revoke the invitation of Rita Revoke?');
    await newAgent(h.app).get(new URL(invited.claimUrl).pathname).expect(200);
    await admin.agent.post(`${path}/revoke`).type('form').send({ _csrf: csrfFrom(confirm.text), confirm: 'yes' }).expect(303);
    await newAgent(h.app).get(new URL(invited.claimUrl).pathname).expect(404);
    const member = await h.runtime.db.source.manager.findOneBy(h.runtime.db.entities.Member, { id: invited.id });
    expect(member!.status).toBe('provisioned');
  });

  it('issues an access code shown once, and refuses an action the member\'s state does not allow', async () => {
    const invited = await inviteByEmployeeId(h.runtime, { employeeId: 'CODE-1', name: 'Cody', actorId: 'test' });
    const path = `/admin/people/${invited.id}`;
    const issued = await admin.agent.post(`${path}/access-code`).type('form').send({ _csrf: await token(path) }).expect(200);
    const code = /class="secret">([A-Z]{4}-[A-Z]{4}-[A-Z]{4}-[A-Z]{4})</.exec(issued.text)![1];
    expect(code).not.toBe(invited.accessCode);
    const again = await admin.agent.get(path).expect(200);
    expect(again.text).not.toContain(code);
    const refused = await admin.agent.post(`${path}/resend`).type('form').send({ _csrf: csrfFrom(again.text) }).expect(409);
    expect(refused.text).toContain('That action is not available');
  });

  it('stops an admin from locking themselves out: self-deactivation is refused', async () => {
    const path = `/admin/people/${admin.id}`;
    const res = await admin.agent.post(`${path}/deactivate`).type('form').send({ _csrf: await token(path), confirm: 'yes' }).expect(400);
    expect(res.text).toContain('You cannot deactivate your own account.');
  });

  it('invites from the invite page, with field errors for bad input', async () => {
    const empty = await admin.agent.post('/admin/invite').type('form').send({ _csrf: await token('/admin/invite') }).expect(400);
    expect(empty.text).toContain('Enter an email, or an employee ID');
    const bad = await admin.agent.post('/admin/invite').type('form').send({ _csrf: csrfFrom(empty.text), email: 'not-an-email' }).expect(400);
    expect(bad.text).toContain('is not an email address');
    const done = await admin.agent.post('/admin/invite').type('form').send({ _csrf: csrfFrom(bad.text), email: 'page-invite@example.com', name: 'Paige' }).expect(200);
    expect(done.text).toContain('page-invite@example.com is invited');
    expect(mailsTo(h.dataDir, 'page-invite@example.com')).toHaveLength(1);
  });
});

describe('import page refusals', () => {
  async function upload(body: Buffer, filename = 'people.csv') {
    return admin.agent.post('/admin/import').field('_csrf', await token('/admin/import')).attach('file', body, { filename, contentType: 'text/csv' });
  }

  it.each([
    ['a file without the header row', Buffer.from('ada@example.com,E1,Ada,Lovelace\r\n'), 400, 'header'],
    ['a file in the wrong encoding (UTF-16)', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${HEADER}\r\n`, 'utf16le')]), 400, 'UTF-8'],
    ['ragged rows', Buffer.from(`${HEADER}\r\na@example.com,E1\r\n`), 400, 'line 2'],
    ['an upload over the size limit (a 1 GB file is cut off at the limit)', Buffer.alloc(200 * 1024, 0x41), 413, 'larger than 64 KB'],
  ])('refuses %s with a clear error and changes nothing', async (_name, body, status, message) => {
    const before = await h.runtime.db.source.manager.count(h.runtime.db.entities.Member);
    const res = await upload(body);
    expect(res.status).toBe(status);
    expect(res.text).toContain(message);
    expect(res.text).toContain('There is a problem');
    expect(await h.runtime.db.source.manager.count(h.runtime.db.entities.Member)).toBe(before);
    expect(await h.runtime.db.source.manager.count(h.runtime.db.entities.ImportUpload)).toBe(0);
  });

  it('stores formula-looking values as text, and the preview shows them inert', async () => {
    const res = await upload(Buffer.from(`${HEADER}\r\nformula@example.com,,"=HYPERLINK(""http://evil.example"")",Smith,,,,,,,\r\n`));
    expect(res.status).toBe(200);
    expect(res.text).toContain('=HYPERLINK(&quot;http://evil.example&quot;) Smith');
  });
});

describe('admin API', () => {
  async function csrfToken(): Promise<string> {
    return (await admin.agent.get('/admin/api/session').expect(200)).body.csrfToken as string;
  }

  it('imports a CSV body (dry run, then for real with invitations), shows a member, acts on it, and reports an export', async () => {
    const csv = `${HEADER}\r\napi-one@example.com,,Api,One,,,,,,,\r\n,API-2,Api,Two,,,,,,,\r\n`;
    const dry = await admin.agent.post('/admin/api/imports?dryRun=true').set('x-csrf-token', await csrfToken()).type('text/csv').send(csv).expect(200);
    expect(dry.body).toMatchObject({ dryRun: true, valid: 2, created: 2 });
    expect(await h.runtime.db.source.manager.countBy(h.runtime.db.entities.Member, { emailNormalized: 'api-one@example.com' })).toBe(0);
    const done = await admin.agent.post('/admin/api/imports?invite=now').set('x-csrf-token', await csrfToken()).type('text/csv').send(csv).expect(200);
    expect(done.body).toMatchObject({ dryRun: false, created: 2, invitedByLink: 1, invitedByCode: 1 });

    const member = await h.runtime.db.source.manager.findOneByOrFail(h.runtime.db.entities.Member, { emailNormalized: 'api-one@example.com' });
    const detail = await admin.agent.get(`/admin/api/members/${member.id}`).expect(200);
    expect(detail.body.member).toMatchObject({ email: 'api-one@example.com', status: 'invited' });
    expect(detail.body.member).not.toHaveProperty('passwordHash');
    expect(detail.body.actions).toEqual(['resend', 'revoke', 'deactivate']);
    expect(detail.body.history.map((entry: { event: string }) => entry.event)).toEqual(['member.invited', 'member.provisioned']);

    const revoked = await admin.agent.post(`/admin/api/members/${member.id}/revoke`).set('x-csrf-token', await csrfToken()).expect(200);
    expect(revoked.body).toEqual({ action: 'revoke', memberId: member.id });
    const again = await admin.agent.post(`/admin/api/members/${member.id}/revoke`).set('x-csrf-token', await csrfToken()).expect(409);
    expect(again.body.error.code).toBe('member_action_unavailable');

    const requested = await admin.agent.post('/admin/api/exports').set('x-csrf-token', await csrfToken()).send({ status: 'invited' }).expect(202);
    const state = await admin.agent.get(`/admin/api/exports/${requested.body.id}`).expect(200);
    expect(state.body).toMatchObject({ id: requested.body.id, state: 'queued', filter: { status: 'invited', search: '' } });
    expect(state.body).not.toHaveProperty('adminId');
  });

  it('refuses an oversized CSV body with 413 and imports nothing', async () => {
    const big = `${HEADER}\r\n${'x'.repeat(80 * 1024)}\r\n`;
    const res = await admin.agent.post('/admin/api/imports').set('x-csrf-token', await csrfToken()).type('text/csv').send(big).expect(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });
});
