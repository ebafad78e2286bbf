import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { In, MoreThan } from 'typeorm';
import type { AuditEvent } from '../../src/audit/events.js';
import { CLI_ACTOR } from '../../src/cli/context.js';
import type { AuditRow } from '../../src/db/rows.js';
import { importMembers } from '../../src/import/import-members.js';
import { inviteByEmployeeId } from '../../src/members/invite-employee.js';
import { inviteByEmail } from '../../src/members/invite.js';
import { signedInMember } from '../support/admin.js';
import { csrfFrom, tokenFor } from '../support/browser-agent.js';
import { claimgateCli } from '../support/cli-process.js';
import { startHarness, type Harness } from '../support/harness.js';
import { writeServerConfig } from '../support/server-process.js';

/**
 * Operations audit themselves: whichever door runs one (the CLI, an admin page, the admin API), it leaves the same
 * audit rows, with the same details; only the actor and the request facts (IP, user agent, request id) tell the doors
 * apart. Runs the CLI that `npm run build` wrote, on the same database as the server.
 */

type Door = 'cli' | 'page' | 'api';

/** One tag per door, all the same length, so every door's file, emails and employee IDs have the same size. */
const TAG: Record<Door, string> = { cli: 'cli', page: 'pag', api: 'api' };
const HEADER = 'Email,Employee ID,First name,Last name,Job Title,Department,Location,Locale,Manager Email,Login Method,Start Date';
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let h: Harness;
let admin: Awaited<ReturnType<typeof signedInMember>>;
let cliConfig: string;

beforeAll(async () => {
  h = await startHarness();
  admin = await signedInMember(h, 'admin@example.com', 'Ada Admin');
  cliConfig = writeServerConfig(h.dataDir, h.config.database.url || undefined, undefined);
});
afterAll(() => h.close());

/** What the operation acts on, prepared anew for each door. */
interface Subject {
  memberId?: string;
  file?: Buffer;
}

interface Operation {
  name: string;
  /** The rows every door leaves, in order. */
  events: AuditEvent[];
  /** Rows of other events a door writes besides (its own delivery, such as the page's kept upload) are not compared. */
  compare?: AuditEvent[];
  prepare?(tag: string): Promise<Subject>;
  cli(subject: Subject, tag: string): string[];
  page?(subject: Subject, tag: string): Promise<unknown>;
  api?(subject: Subject, tag: string): Promise<unknown>;
}

const apiToken = async () => (await admin.agent.get('/admin/api/session').expect(200)).body.csrfToken as string;
const apiPost = async (path: string, body: object, status: number) =>
  admin.agent.post(path).set('x-csrf-token', await apiToken()).send(body).expect(status);
const pagePost = async (formPath: string, path: string, fields: Record<string, string>, status: number) =>
  admin.agent.post(path).type('form').send({ _csrf: await tokenFor(admin.agent, formPath), ...fields }).expect(status);

const invitedByEmail = async (slug: string, tag: string): Promise<Subject> =>
  ({ memberId: (await inviteByEmail(h.runtime, { email: `${slug}-${tag}@doors.example`, name: 'Door Person', actorId: 'test' })).id });
const invitedByEmployeeId = async (slug: string, tag: string): Promise<Subject> =>
  ({ memberId: (await inviteByEmployeeId(h.runtime, { employeeId: `${slug}-${tag}`, name: 'Door Person', actorId: 'test' })).id });

/** A member action on the member's page (confirmed where the page asks) and in the API. */
const memberAction = (action: string, pageStatus: number) => ({
  cli: (subject: Subject) => action === 'access-code' ? ['access-code', '--member', subject.memberId!, '--json'] : [action, subject.memberId!, '--json'],
  page: (subject: Subject) =>
    pagePost(`/admin/people/${subject.memberId}`, `/admin/people/${subject.memberId}/${action}`, { confirm: 'yes' }, pageStatus),
  api: (subject: Subject) => apiPost(`/admin/api/members/${subject.memberId}/${action}`, {}, 200),
});

/** One member with an email, one with an employee ID only, one invalid row. */
const importFile = (tag: string) => Buffer.from([
  HEADER,
  `imp-${tag}-1@doors.example,,Mail,Member,,,,,,,`,
  `,IMP-${tag}-2,Code,Member,,,,,,,`,
  `imp-${tag}-not-an-email,,Bad,Row,,,,,,,`,
].join('\r\n') + '\r\n');

const OPERATIONS: Operation[] = [
  {
    name: 'import (apply)',
    events: ['member.provisioned', 'member.provisioned', 'member.invited', 'member.invited', 'import.applied'],
    compare: ['member.provisioned', 'member.invited', 'import.applied'],
    prepare: async (tag) => ({ file: importFile(tag) }),
    cli: (subject, tag) => {
      const file = join(h.dataDir, `import-${tag}.csv`);
      writeFileSync(file, subject.file!);
      return ['import', file, '--invite', 'now', '--json'];
    },
    page: async (subject) => {
      const preview = await admin.agent.post('/admin/import')
        .field('_csrf', await tokenFor(admin.agent, '/admin/import'))
        .attach('file', subject.file!, { filename: 'people.csv', contentType: 'text/csv' })
        .expect(200);
      const uploadId = /action="\/admin\/import\/([0-9a-f-]{36})"/.exec(preview.text)![1]!;
      return admin.agent.post(`/admin/import/${uploadId}`).type('form').send({ _csrf: csrfFrom(preview.text), invite: 'now' }).expect(200);
    },
    api: async (subject) => admin.agent.post('/admin/api/imports?invite=now').set('x-csrf-token', await apiToken())
      .set('Content-Type', 'text/csv').send(subject.file!).expect(200),
  },
  {
    name: 'export request (members, with claim links)',
    // The CLI's export is delivered as it is asked for: its export.downloaded is checked with the access codes.
    events: ['export.requested'],
    compare: ['export.requested'],
    cli: (_subject, tag) => ['export', '--status', 'invited', '--search', 'doors.example', '--out', join(h.dataDir, `export-${tag}.csv`)],
    page: () => pagePost('/admin/export', '/admin/export', { status: 'invited', search: 'doors.example' }, 303),
    api: () => apiPost('/admin/api/exports', { status: 'invited', search: 'doors.example' }, 202),
  },
  {
    name: 'export request (access codes, answered at once)',
    events: ['export.requested', 'export.downloaded'],
    cli: (_subject, tag) => ['export', '--codes', '--out', join(h.dataDir, `codes-${tag}.csv`)],
    page: () => pagePost('/admin/export', '/admin/export/access-codes', {}, 200),
  },
  {
    name: 'invite by email',
    events: ['member.provisioned', 'member.invited'],
    cli: (_subject, tag) => ['invite', '--email', `inv-${tag}@doors.example`, '--name', 'Door Person', '--json'],
    page: (_subject, tag) => pagePost('/admin/invite', '/admin/invite', { email: `inv-${tag}@doors.example`, name: 'Door Person' }, 200),
    api: (_subject, tag) => apiPost('/admin/api/members', { email: `inv-${tag}@doors.example`, name: 'Door Person' }, 201),
  },
  {
    name: 'invite by employee ID',
    events: ['member.provisioned', 'member.invited'],
    cli: (_subject, tag) => ['invite', '--employee-id', `EMP-${tag}`, '--name', 'Door Person', '--json'],
    page: (_subject, tag) => pagePost('/admin/invite', '/admin/invite', { employeeId: `EMP-${tag}`, name: 'Door Person' }, 200),
    api: (_subject, tag) => apiPost('/admin/api/members', { employeeId: `EMP-${tag}`, name: 'Door Person' }, 201),
  },
  { name: 'resend', events: ['member.invited'], prepare: (tag) => invitedByEmail('res', tag), ...memberAction('resend', 303) },
  { name: 'revoke', events: ['member.revoked'], prepare: (tag) => invitedByEmail('rev', tag), ...memberAction('revoke', 303) },
  { name: 'deactivate', events: ['member.deactivated'], prepare: (tag) => invitedByEmail('dea', tag), ...memberAction('deactivate', 303) },
  { name: 'access-code issue', events: ['member.code_issued'], prepare: (tag) => invitedByEmployeeId('ACC', tag), ...memberAction('access-code', 200) },
];

async function lastAuditId(): Promise<string> {
  const [last] = await h.runtime.db.source.manager.find(h.runtime.db.entities.AuditEvent, { order: { id: 'DESC' }, take: 1 });
  return last ? String(last.id) : '0';
}

async function auditRowsAfter(mark: string): Promise<AuditRow[]> {
  return h.runtime.db.source.manager.find(h.runtime.db.entities.AuditEvent, { where: { id: MoreThan(mark) }, order: { id: 'ASC' } });
}

/** Every member a row names is this door's own (its tag is in the member's email or employee ID). */
async function expectOwnMembers(rows: AuditRow[], tag: string): Promise<void> {
  const ids = [...new Set(rows.map((row) => row.memberId).filter((id): id is string => Boolean(id)))];
  const members = await h.runtime.db.source.manager.findBy(h.runtime.db.entities.Member, { id: In(ids) });
  expect(members).toHaveLength(ids.length);
  for (const member of members) expect(`${member.email ?? ''} ${member.employeeId ?? ''}`.toLowerCase()).toContain(`-${tag}`);
}

/** A row without what tells doors apart; ids in the details are checked to be ids, the file digest to be the file's. */
function comparable(row: AuditRow, subject: Subject) {
  const details = JSON.parse(row.details) as Record<string, unknown>;
  if ('sha256' in details) {
    expect(details.sha256).toBe(createHash('sha256').update(subject.file!).digest('hex'));
    details.sha256 = '<the file>';
  }
  for (const [key, value] of Object.entries(details)) if (typeof value === 'string' && ID.test(value)) details[key] = '<id>';
  return { event: row.event, outcome: row.outcome, method: row.method, traceId: row.traceId, member: row.memberId && '<member>', details };
}

async function runDoor(operation: Operation, door: Door, subject: Subject, tag: string): Promise<void> {
  if (door === 'cli') await claimgateCli(cliConfig, ...operation.cli(subject, tag));
  else await (door === 'page' ? operation.page : operation.api)!(subject, tag);
}

describe('operations audit themselves, the same through every door', () => {
  it.each(OPERATIONS.map((operation) => [operation.name, operation] as const))('%s', async (_name, operation) => {
    const doors = (['cli', 'page', 'api'] as const).filter((door) => door === 'cli' || operation[door]);
    const seen: Partial<Record<Door, ReturnType<typeof comparable>[]>> = {};
    for (const door of doors) {
      const tag = TAG[door];
      const subject = (await operation.prepare?.(tag)) ?? {};
      const mark = await lastAuditId();
      await runDoor(operation, door, subject, tag);
      const rows = await auditRowsAfter(mark);
      for (const row of rows) {
        expect(row.actorId).toBe(door === 'cli' ? CLI_ACTOR : admin.id);
        // A door with a request passes its facts through; the CLI has none.
        expect(row.requestId === null).toBe(door === 'cli');
        expect(row.ip === null).toBe(door === 'cli');
      }
      if (subject.memberId) expect(rows.every((row) => row.memberId === subject.memberId)).toBe(true);
      await expectOwnMembers(rows, tag);
      const compared = rows.filter((row) => !operation.compare || operation.compare.includes(row.event as AuditEvent));
      seen[door] = compared.map((row) => comparable(row, subject));
      expect(compared.map((row) => row.event)).toEqual(operation.events);
    }
    for (const door of doors) expect({ door, rows: seen[door] }).toEqual({ door, rows: seen.cli });
  }, 90_000);

  it('keeps the file the page previewed on the record with the digest its import.applied carries', async () => {
    const file = importFile('pvw');
    const form = await admin.agent.get('/admin/import').expect(200);
    const mark = await lastAuditId();
    const preview = await admin.agent.post('/admin/import').field('_csrf', csrfFrom(form.text))
      .attach('file', file, { filename: 'people.csv', contentType: 'text/csv' }).expect(200);
    const uploadId = /action="\/admin\/import\/([0-9a-f-]{36})"/.exec(preview.text)![1]!;
    await admin.agent.post(`/admin/import/${uploadId}`).type('form').send({ _csrf: csrfFrom(preview.text), invite: 'later' }).expect(200);
    const rows = (await auditRowsAfter(mark)).filter((row) => row.event.startsWith('import.'));
    expect(rows.map((row) => row.event)).toEqual(['import.previewed', 'import.applied']);
    const [previewed, applied] = rows.map((row) => JSON.parse(row.details) as Record<string, unknown>);
    expect(previewed).toEqual({ uploadId, sha256: applied!.sha256, bytes: file.length, rows: 3, valid: 2, incomplete: 0, invalid: 1 });
    expect(applied).toMatchObject({ invite: 'later', bytes: file.length, created: 2, invitedByLink: 0, invitedByCode: 0 });
  });

  it('puts an import that stopped partway on the record as a failure, with what it read; a dry run writes nothing', async () => {
    const file = importFile('stp');
    const mark = await lastAuditId();
    await expect(importMembers(h.runtime, file, { actorId: 'test', maxBytes: h.config.imports.maxBytes, dryRun: true })).resolves.toMatchObject({ created: 2 });
    expect(await auditRowsAfter(mark)).toEqual([]);
    const stopped = importMembers(h.runtime, file, {
      actorId: 'test', maxBytes: h.config.imports.maxBytes,
      onProgress: ({ phase }) => {
        if (phase === 'importing') throw new Error('the import stopped after its first batch');
      },
    });
    await expect(stopped).rejects.toThrow('stopped after its first batch');
    const rows = await auditRowsAfter(mark);
    expect(rows.map((row) => [row.event, row.outcome])).toEqual([['member.provisioned', 'success'], ['member.provisioned', 'success'], ['import.applied', 'failure']]);
    expect(JSON.parse(rows[2]!.details)).toEqual({ invite: 'later', sha256: createHash('sha256').update(file).digest('hex'), bytes: file.length, reason: 'internal' });
  });

  it('writes exactly one export.requested per request, and a direct export is delivered under the same export id', async () => {
    const mark = await lastAuditId();
    await claimgateCli(cliConfig, 'export', '--status', 'claimed', '--out', join(h.dataDir, 'once.csv'));
    const rows = await auditRowsAfter(mark);
    expect(rows.map((row) => row.event)).toEqual(['export.requested', 'export.downloaded']);
    const [requested, downloaded] = rows.map((row) => JSON.parse(row.details) as Record<string, unknown>);
    expect(requested).toEqual({ exportId: expect.stringMatching(ID), kind: 'members', status: 'claimed', search: '' });
    expect(downloaded).toEqual({ exportId: requested!.exportId, kind: 'members' });
  }, 60_000);
});
