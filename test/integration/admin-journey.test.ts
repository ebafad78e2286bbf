import { csrfFrom, newAgent } from '../support/browser-agent.js';
import { signedInMember } from '../support/admin.js';
import { claimAll } from '../support/claim-walk.js';
import { startHarness, type Harness } from '../support/harness.js';
import { mailsTo } from '../support/outbox.js';

const HEADER = 'Email,Employee ID,First name,Last name,Job Title,Department,Location,Locale,Manager Email,Login Method,Start Date';

let h: Harness;
let admin: Awaited<ReturnType<typeof signedInMember>>;
let other: Awaited<ReturnType<typeof signedInMember>>;

beforeAll(async () => {
  // A long idle timeout lets the expiry test outlive the download link, not the session.
  h = await startHarness({ admins: ['admin@example.com', 'second-admin@example.com'], session: { idleTimeout: '48h' } }, { workers: true });
  admin = await signedInMember(h, 'admin@example.com', 'Ada Admin');
  other = await signedInMember(h, 'second-admin@example.com', 'Otto Other');
});
afterAll(() => h.close());

function peopleCsv(count: number): Buffer {
  const rows = Array.from({ length: count }, (_, index) => `person${index}@corp.example,,Person,Number${index},Engineer,R&D,London,en-GB,,password,2026-12-01`);
  rows.splice(10, 0, ',,No,Identifier,,,,,,,', 'not-an-email,,Bad,Email,,,,,,,');
  return Buffer.from(`${[HEADER, ...rows].join('\r\n')}\r\n`);
}

async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function downloadLinkIn(mails: string[]): string | undefined {
  const match = mails.map((mail) => /http:\/\/claimgate\.test(\/admin\/exports\/[0-9a-f-]{36}\/download\?token=[A-Za-z0-9_-]+)/.exec(mail)).find(Boolean);
  return match?.[1];
}

describe('an admin imports, invites, exports, and a link from the export claims an account', () => {
  let downloadPath: string;
  let csvText: string;

  it('previews a 1,000-person CSV as valid, incomplete and invalid with line numbers, then imports and invites the valid rows', async () => {
    const form = await admin.agent.get('/admin/import').expect(200);
    const preview = await admin.agent.post('/admin/import')
      .field('_csrf', csrfFrom(form.text))
      .attach('file', peopleCsv(1000), { filename: 'people.csv', contentType: 'text/csv' })
      .expect(200);
    expect(preview.text).toContain('1002 rows. 1000 valid, 1 incomplete, 1 invalid.');
    expect(preview.text).toMatch(/<td>12<\/td><td>incomplete<\/td>/);
    expect(preview.text).toMatch(/<td>13<\/td><td>invalid<\/td>/);
    expect(await h.runtime.db.source.manager.countBy(h.runtime.db.entities.Member, { lastName: 'Number1' })).toBe(0);

    const uploadId = /action="\/admin\/import\/([0-9a-f-]{36})"/.exec(preview.text)![1]!;
    const done = await admin.agent.post(`/admin/import/${uploadId}`).type('form').send({ _csrf: csrfFrom(preview.text), invite: 'now' }).expect(200);
    expect(done.text).toContain('1000 created');
    expect(done.text).toContain('Invitations sent: 1000 by email');
    expect(await h.runtime.db.source.manager.countBy(h.runtime.db.entities.Member, { status: 'invited', location: 'London' })).toBe(1000);
    expect(mailsTo(h.dataDir, 'person7@corp.example')).toHaveLength(1);

    // A double submit (or a second tab) cannot apply the same file twice.
    const again = await admin.agent.post(`/admin/import/${uploadId}`).type('form').send({ _csrf: csrfFrom(preview.text), invite: 'now' }).expect(404);
    expect(again.text).toContain('import_upload_missing');
    expect(mailsTo(h.dataDir, 'person7@corp.example')).toHaveLength(1);
  }, 600_000); // a thousand invitation mails: allow for a slow, shared machine

  it('asks for the export, which is built in the background and mailed as a link to that admin', async () => {
    const page = await admin.agent.get('/admin/export').expect(200);
    await admin.agent.post('/admin/export').type('form').send({ _csrf: csrfFrom(page.text), status: 'invited', search: 'corp.example' }).expect(303);
    downloadPath = await waitFor(() => downloadLinkIn(mailsTo(h.dataDir, 'admin@example.com')), 'the export mail');
    const events = await h.runtime.db.source.manager.find(h.runtime.db.entities.AuditEvent, { where: { actorId: admin.id }, order: { id: 'ASC' } });
    expect(events.map((event) => event.event)).toEqual(expect.arrayContaining(['export.requested', 'export.completed']));
  });

  it('downloads the CSV with the same claim links the invitations carry; the download is audited', async () => {
    const res = await admin.agent.get(downloadPath).buffer(true).parse((response, done) => {
      let text = '';
      response.on('data', (chunk: Buffer) => { text += chunk.toString('utf8'); });
      response.on('end', () => done(null, text));
    }).expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="members-\d{4}-\d{2}-\d{2}\.csv"$/);
    csvText = res.body as string;
    const lines = csvText.trim().split('\r\n');
    expect(lines).toHaveLength(1001);
    const person7 = lines.find((line) => line.includes('person7@corp.example,'))!;
    const link = /http:\/\/claimgate\.test\/claim\/[A-Za-z0-9_-]+/.exec(person7)![0];
    expect(mailsTo(h.dataDir, 'person7@corp.example')[0]).toContain(link);
    expect(await h.runtime.db.source.manager.countBy(h.runtime.db.entities.AuditEvent, { event: 'export.downloaded', actorId: admin.id })).toBe(1);
  });

  it('a claim link from the exported CSV completes a claim', async () => {
    const line = csvText.split('\r\n').find((row) => row.includes('person42@corp.example,'))!;
    const link = /http:\/\/claimgate\.test\/claim\/[A-Za-z0-9_-]+/.exec(line)![0];
    const member = newAgent(h.app);
    await claimAll(member, link);
    const claimed = await h.runtime.db.source.manager.findOneBy(h.runtime.db.entities.Member, { emailNormalized: 'person42@corp.example' });
    expect(claimed!.status).toBe('claimed');
  });

  it('stops a forwarded download link: another admin signed in with it gets the same refusal as a bad link, audited', async () => {
    const res = await other.agent.get(downloadPath).expect(404);
    expect(res.text).toContain('export_link_invalid');
    const refused = await h.runtime.db.source.manager.findOneBy(h.runtime.db.entities.AuditEvent, { event: 'export.download_refused', actorId: other.id });
    expect(JSON.parse(refused!.details)).toMatchObject({ reason: 'other_admin' });
  });

  it('stops a tampered download token', async () => {
    const tampered = downloadPath.replace(/token=./, (start) => `${start.slice(0, -1)}${start.endsWith('A') ? 'B' : 'A'}`);
    const res = await admin.agent.get(tampered).expect(404);
    expect(res.text).toContain('export_link_invalid');
  });

  it('stops a stale download link: after 24 hours the link no longer works, even for its admin', async () => {
    h.advance(24 * 60 * 60 * 1000 + 1000);
    try {
      const res = await admin.agent.get(downloadPath).expect(404);
      expect(res.text).toContain('export_link_invalid');
      const refused = await h.runtime.db.source.manager.find(h.runtime.db.entities.AuditEvent, { where: { event: 'export.download_refused', actorId: admin.id } });
      expect(refused.map((row) => JSON.parse(row.details).reason)).toContain('expired');
    } finally {
      h.advance(-(24 * 60 * 60 * 1000 + 1000));
    }
  });
});
