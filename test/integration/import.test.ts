import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FindOptionsWhere } from 'typeorm';
import { stringify } from 'yaml';
import { currentAccessCode, printableCode } from '../../src/access-codes/codes.js';
import type { MemberRow } from '../../src/db/rows.js';
import { AppError } from '../../src/http/errors.js';
import { applyPlan } from '../../src/import/apply.js';
import { importMembers, type ImportOptions } from '../../src/import/import-members.js';
import { planImport } from '../../src/import/plan.js';
import type { ImportRow } from '../../src/import/read-rows.js';
import { inviteByEmployeeId } from '../../src/members/invite-employee.js';
import { inviteByEmail } from '../../src/members/invite.js';
import { newAgent } from '../support/browser-agent.js';
import { enterCode, startClaim } from '../support/claim-walk.js';
import { startHarness, TEST_SECRET, testConfigInput, type Harness } from '../support/harness.js';
import { allowForProcesses } from '../support/timeouts.js';

allowForProcesses();

const HEADER = 'Email,Employee ID,First name,Last name,Job Title,Department,Location,Locale,Manager Email,Login Method,Start Date';
const CLAIM_URL = /http:\/\/claimgate\.test\/claim\/[0-9a-f]{32}[A-Za-z0-9_-]{43}/;

let h: Harness;
let serial = 0;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

/** A prefix that keeps each test's members apart in the shared database. */
const tag = () => `t${++serial}x${Date.now().toString(36)}`;
const row = (line: number, values: ImportRow['values']): ImportRow => ({ line, values });
const csv = (...rows: string[]) => Buffer.from(`${[HEADER, ...rows].join('\r\n')}\r\n`);
const run = (file: Buffer, options: Partial<ImportOptions> = {}) => importMembers(h.runtime, file, { actorId: 'test', maxBytes: h.config.imports.maxBytes, ...options });

async function memberBy(where: FindOptionsWhere<MemberRow>): Promise<MemberRow | null> {
  return h.runtime.db.source.manager.findOneBy(h.runtime.db.entities.Member, where);
}

/** Everything an import could change: a refused file must leave all of it as it was. */
async function snapshot() {
  const { manager } = h.runtime.db.source;
  const { entities } = h.runtime.db;
  return {
    members: await manager.count(entities.Member),
    audit: await manager.count(entities.AuditEvent),
    links: await manager.count(entities.ClaimLink),
    codes: await manager.count(entities.AccessCode),
    mails: existsSync(join(h.dataDir, 'outbox')) ? readdirSync(join(h.dataDir, 'outbox')).length : 0,
  };
}

function mailTo(email: string): string | undefined {
  const outbox = join(h.dataDir, 'outbox');
  if (!existsSync(outbox)) return undefined;
  return readdirSync(outbox).map((file) => readFileSync(join(outbox, file), 'utf8').replace(/=\r?\n/g, '')).find((text) => text.includes(`To: ${email}`));
}

async function auditEvents(memberId: string): Promise<string[]> {
  const rows = await h.runtime.db.source.manager.find(h.runtime.db.entities.AuditEvent, { where: { memberId }, order: { id: 'ASC' } });
  return rows.map((row) => row.event);
}

describe('import engine', () => {
  it('sorts rows into valid, incomplete and invalid with reasons and file line numbers, and keeps the valid ones', async () => {
    const t = tag();
    const report = await run(csv(
      `${t}-ada@example.com,${t}-E1,Ada,Lovelace,Analyst,Research,London,en-GB,boss@example.com,password,2026-03-01`,
      `,${t}-E2,Sam,Shift,,,,,,,`,
      `${t}-no-last@example.com,,Nolast,,,,,,,,`,
      `not-an-email,,Bad,Email,,,,,,,`,
      `,,"Two\r\nline name",Nobody,,,,,,,`,
      `${t}-bob@example.com,,Bob,Builder,,,,en_US,,ldap,2026-02-30`,
      `  ${t}-carol@example.com  ,, Carol , King ,,,,,,,`,
    ));
    expect(report).toMatchObject({ dryRun: false, invite: 'later', rows: 7, valid: 3, incomplete: 1, invalid: 3, created: 3, updated: 0, unchanged: 0 });
    expect(report.rejected).toMatchObject([
      { line: 4, class: 'incomplete', reason: 'Last name is missing' },
      { line: 5, class: 'invalid', reason: 'Email "not-an-email" is not an email address' },
      { line: 6, class: 'invalid', reason: 'First name "Two\\u000d\\u000aline name" contains a line break or a control character; Email or Employee ID is missing' },
      { line: 8, class: 'invalid', reason: 'Locale "en_US" is not a language tag such as en or en-GB; Login Method "ldap" is neither password nor sso; Start Date "2026-02-30" is not a date written YYYY-MM-DD' },
    ]);

    const ada = await memberBy({ emailNormalized: `${t}-ada@example.com` });
    expect(ada).toMatchObject({
      status: 'provisioned', employeeId: `${t}-E1`.toUpperCase(), name: 'Ada Lovelace', firstName: 'Ada', lastName: 'Lovelace', title: 'Analyst',
      department: 'Research', location: 'London', locale: 'en-GB', managerEmail: 'boss@example.com', loginMethod: 'password', startDate: '2026-03-01',
      invitedAt: null,
    });
    expect(await auditEvents(ada!.id)).toEqual(['member.provisioned']);
    expect(await memberBy({ employeeId: `${t}-E2`.toUpperCase() })).toMatchObject({ email: null, name: 'Sam Shift', status: 'provisioned', loginMethod: 'password' });
    expect(await memberBy({ emailNormalized: `${t}-carol@example.com` })).toMatchObject({ email: `${t}-carol@example.com`, name: 'Carol King' });
    expect(await memberBy({ emailNormalized: `${t}-no-last@example.com` })).toBeNull();
    expect(await memberBy({ emailNormalized: `${t}-bob@example.com` })).toBeNull();
    expect(mailTo(`${t}-ada@example.com`)).toBeUndefined();
  });

  // Attack: a spreadsheet formula in a cell evaluated or rewritten on its way into the database.
  it('stores formula-looking values as the text they are', async () => {
    const t = tag();
    await run(csv(`${t}@example.com,,"=HYPERLINK(""http://evil.example"",""click"")",+SUM(A1),@cmd,-1+1,=1+1,,,,`));
    expect(await memberBy({ emailNormalized: `${t}@example.com` })).toMatchObject({
      firstName: '=HYPERLINK("http://evil.example","click")', lastName: '+SUM(A1)', name: '=HYPERLINK("http://evil.example","click") +SUM(A1)',
      title: '@cmd', department: '-1+1', location: '=1+1',
    });
  });

  it('updates members on a second import instead of duplicating them, matching on email, else employee ID', async () => {
    const t = tag();
    const rows = [`${t}-a@example.com,${t}-A,Ann,One,,Sales,,,,,`, `,${t}-B,Ben,Two,,Sales,,,,,`, `${t}-c@example.com,,Cat,Three,,Sales,,,,,`];
    const first = await run(csv(...rows));
    expect(first).toMatchObject({ created: 3, updated: 0, unchanged: 0 });
    const before = await snapshot();

    const again = await run(csv(...rows));
    expect(again).toMatchObject({ valid: 3, created: 0, updated: 0, unchanged: 3, rejected: [] });
    expect(await snapshot()).toEqual(before);

    const changed = await run(csv(`${t}-A@EXAMPLE.com,${t}-a,Ann,One,Lead,Sales,,,,,`, `,${t}-b,Benjamin,Two,,Support,,,,,`, `${t}-c@example.com,,Cat,Three,,Sales,,,,,`));
    expect(changed).toMatchObject({ created: 0, updated: 2, unchanged: 1 });
    expect((await snapshot()).members).toBe(before.members);
    expect(await memberBy({ employeeId: `${t}-A`.toUpperCase() })).toMatchObject({ email: `${t}-a@example.com`, title: 'Lead' });
    expect(await memberBy({ employeeId: `${t}-B`.toUpperCase() })).toMatchObject({ name: 'Benjamin Two', department: 'Support' });
  });

  it('leaves stored values alone for empty cells and fills in a missing email or employee ID', async () => {
    const t = tag();
    const employee = await inviteByEmployeeId(h.runtime, { employeeId: `${t}-E`, name: 'Frontline', actorId: 'test' });
    await run(csv(`${t}-x@example.com,,Xia,Before,Engineer,Platform,Berlin,de-DE,,,`));
    const report = await run(csv(`${t}-x@example.com,${t}-X,Xia,After,,,,,,,`, `${t}-e@example.com,${t}-E,Fay,Line,,,,,,,`));
    expect(report).toMatchObject({ created: 0, updated: 2 });
    expect(await memberBy({ emailNormalized: `${t}-x@example.com` })).toMatchObject({
      employeeId: `${t}-X`.toUpperCase(), lastName: 'After', name: 'Xia After', title: 'Engineer', department: 'Platform', location: 'Berlin', locale: 'de-DE',
    });
    expect(await memberBy({ id: employee.id })).toMatchObject({ email: `${t}-e@example.com`, emailNormalized: `${t}-e@example.com`, status: 'invited', name: 'Fay Line' });
  });

  // Attack: an import that moves an email or employee ID from one person's account to another's.
  it('refuses rows whose identifiers belong to different members or to a member with other identifiers', async () => {
    const t = tag();
    await run(csv(`${t}-one@example.com,${t}-1,One,Person,,,,,,,`, `${t}-two@example.com,${t}-2,Two,Person,,,,,,,`));
    const before = await snapshot();
    const report = await run(csv(
      `${t}-one@example.com,${t}-2,One,Person,,,,,,,`,
      `${t}-one@example.com,${t}-9,One,Person,,,,,,,`,
      `${t}-new@example.com,${t}-1,One,Person,,,,,,,`,
    ), { invite: 'later' });
    expect(report.valid).toBe(0);
    const reasons = report.rejected.map((row) => `${row.line}: ${row.reason}`);
    const id = (n: number) => `"${t.toUpperCase()}-${n}"`;
    expect(reasons).toEqual([
      `2: Email "${t}-one@example.com" and Employee ID ${id(2)} belong to two different members; the same member is also on line 3 (same Email) and line 4 (same existing member)`,
      `3: the member with Email "${t}-one@example.com" has Employee ID ${id(1)}, not ${id(9)}; the same member is also on line 2 (same Email) and line 4 (same existing member)`,
      `4: the member with Employee ID ${id(1)} has Email "${t}-one@example.com", not "${t}-new@example.com"; the same member is also on lines 2, 3 (same existing member)`,
    ]);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses to invite claimed or deactivated members now, but updates them when inviting later', async () => {
    const t = tag();
    await run(csv(`${t}-c@example.com,,Claimed,Member,,,,,,,`, `${t}-d@example.com,,Gone,Member,,,,,,,`));
    const { db } = h.runtime;
    await db.transaction((m) => m.update(db.entities.Member, { emailNormalized: `${t}-c@example.com` }, { status: 'claimed' }));
    await db.transaction((m) => m.update(db.entities.Member, { emailNormalized: `${t}-d@example.com` }, { status: 'deactivated' }));
    const file = csv(`${t}-c@example.com,,Claimed,Renamed,,,,,,,`, `${t}-d@example.com,,Gone,Renamed,,,,,,,`);

    const now = await run(file, { invite: 'now' });
    expect(now.rejected).toMatchObject([
      { line: 2, class: 'invalid', reason: 'the member is claimed and cannot be invited', reasonParts: [{ key: 'admin.import.rows.memberClaimed' }] },
      { line: 3, class: 'invalid', reason: 'the member is deactivated and cannot be invited', reasonParts: [{ key: 'admin.import.rows.memberDeactivated' }] },
    ]);
    expect(mailTo(`${t}-c@example.com`)).toBeUndefined();

    const later = await run(file, { invite: 'later' });
    expect(later).toMatchObject({ valid: 2, updated: 2 });
    expect(await memberBy({ emailNormalized: `${t}-c@example.com` })).toMatchObject({ status: 'claimed', lastName: 'Renamed' });
  });

  it('refuses single sign-on for a member who has no email', async () => {
    const t = tag();
    const report = await run(csv(`,${t}-S,Sso,Only,,,,,,sso,`));
    expect(report.rejected).toMatchObject([{ line: 2, class: 'invalid', reason: 'Login Method "sso" needs an Email: single sign-on recognises members by their email' }]);
  });

  it('changes nothing in a dry run but reports what it would do', async () => {
    const t = tag();
    await run(csv(`${t}-old@example.com,,Old,Name,,,,,,,`));
    const before = await snapshot();
    const report = await run(csv(`${t}-old@example.com,,New,Name,,,,,,,`, `${t}-new@example.com,,Brand,New,,,,,,,`, `,${t}-code,Code,Only,,,,,,,`, `,,No,Identifier,,,,,,,`), { dryRun: true, invite: 'now' });
    expect(report).toMatchObject({ dryRun: true, valid: 3, incomplete: 1, created: 2, updated: 1, invitedByLink: 2, invitedByCode: 1 });
    expect(await snapshot()).toEqual(before);
    expect(await memberBy({ emailNormalized: `${t}-old@example.com` })).toMatchObject({ firstName: 'Old', status: 'provisioned' });
  });

  it('invites now: mails a working claim link to members with email and issues a working access code to the others', async () => {
    const t = tag();
    const already = await inviteByEmail(h.runtime, { email: `${t}-again@example.com`, name: 'Again', actorId: 'test' });
    const report = await run(csv(`${t}-mail@example.com,,Mia,Mail,,,,,,,`, `,${t}-CODE,Cody,Code,,,,,,,`, `${t}-again@example.com,,Agnes,Again,,,,,,,`), { invite: 'now' });
    expect(report).toMatchObject({ valid: 3, created: 2, updated: 1, invitedByLink: 2, invitedByCode: 1, rejected: [] });

    const mailed = await memberBy({ emailNormalized: `${t}-mail@example.com` });
    expect(mailed).toMatchObject({ status: 'invited', name: 'Mia Mail' });
    expect(await auditEvents(mailed!.id)).toEqual(['member.provisioned', 'member.invited']);
    const mail = mailTo(`${t}-mail@example.com`);
    expect(mail).toContain('Hello Mia Mail,');
    const url = CLAIM_URL.exec(mail!)![0];
    expect(await startClaim(newAgent(h.app), url)).toBe('/claim/flow/terms');

    // The member invited before gets the invitation again with the link they already have: a link that may be in an
    // exported CSV keeps working.
    const renewed = readdirSync(join(h.dataDir, 'outbox')).map((file) => readFileSync(join(h.dataDir, 'outbox', file), 'utf8').replace(/=\r?\n/g, ''))
      .filter((text) => text.includes(`To: ${t}-again@example.com`));
    expect(renewed).toHaveLength(2);
    expect(renewed[1]).toContain(already.claimUrl);
    await newAgent(h.app).get(new URL(already.claimUrl).pathname).expect(200);

    const employee = await memberBy({ employeeId: `${t}-CODE`.toUpperCase() });
    expect(employee).toMatchObject({ status: 'invited', email: null });
    const code = await currentAccessCode(h.runtime.db, employee!, h.runtime.now());
    expect(code).toBeDefined();
    const started = await enterCode(newAgent(h.app), `${t}-code`, printableCode(h.runtime.keys, code!));
    expect(started.status).toBe(303);
  });

  it('works through files larger than one batch, finding duplicates across batches', async () => {
    const t = tag();
    const rows = Array.from({ length: 1234 }, (_, index) => `${t}-${index}@example.com,${t}-${index},First${index},Last${index},,,,,,,`);
    rows[1100] = `${t}-3@example.com,,Dup,Licate,,,,,,,`;
    const progress: string[] = [];
    const report = await run(csv(...rows), { onProgress: ({ phase, done, total }) => progress.push(`${phase} ${done}/${total}`) });
    expect(report).toMatchObject({ rows: 1234, valid: 1232, invalid: 2, created: 1232 });
    expect(report.rejected.map((row) => row.line)).toEqual([5, 1102]);
    expect(progress).toEqual(['checking 500/1234', 'checking 1000/1234', 'checking 1234/1234', 'importing 500/1232', 'importing 1000/1232', 'importing 1232/1232']);
    expect(await memberBy({ emailNormalized: `${t}-1233@example.com` })).toMatchObject({ name: 'First1233 Last1233' });
  });

  // Attack: a race that would give one email to two members, or fail halfway with a database error.
  it('stops with a clear message when someone else takes an email of the file while it is imported', async () => {
    const t = tag();
    const rows = Array.from({ length: 700 }, (_, index) => row(2 + index, { email: `${t}-${index}@example.com`, firstName: 'F', lastName: 'L' }));
    const plan = await planImport(h.runtime.db, h.runtime.config, rows, { invite: 'later', batchSize: 500 });
    await inviteByEmail(h.runtime, { email: `${t}-600@example.com`, actorId: 'test' });
    const stopped = await applyPlan(h.runtime, plan.planned, { invite: 'later', actorId: 'test', batchSize: 500 }).catch((error: unknown) => error);
    expect(stopped).toBeInstanceOf(AppError);
    expect((stopped as AppError).publicMessage).toContain('email or employee ID of lines 502 to 701');
    expect(await memberBy({ emailNormalized: `${t}-499@example.com` })).not.toBeNull();
    expect(await memberBy({ emailNormalized: `${t}-500@example.com` })).toBeNull();
  });

  // Attack: the same race in a middle batch, while the batch after it is already being written.
  it('leaves the batches after a failed one untouched as well', async () => {
    const t = tag();
    const rows = Array.from({ length: 1300 }, (_, index) => row(2 + index, { email: `${t}-${index}@example.com`, firstName: 'F', lastName: 'L' }));
    const plan = await planImport(h.runtime.db, h.runtime.config, rows, { invite: 'later', batchSize: 500 });
    await inviteByEmail(h.runtime, { email: `${t}-600@example.com`, actorId: 'test' });
    const progress: number[] = [];
    const stopped = await applyPlan(h.runtime, plan.planned, { invite: 'later', actorId: 'test', batchSize: 500, onBatch: (done) => progress.push(done) })
      .catch((error: unknown) => error);
    expect((stopped as AppError).publicMessage).toContain('email or employee ID of lines 502 to 1001');
    expect(progress).toEqual([500]);
    expect(await memberBy({ emailNormalized: `${t}-499@example.com` })).not.toBeNull();
    for (const index of [500, 999, 1000, 1299]) expect(await memberBy({ emailNormalized: `${t}-${index}@example.com` })).toBeNull();
  });

  describe('a malformed file changes nothing', () => {
    const t = `bad${Date.now().toString(36)}`;
    const valid = (count: number) => Array.from({ length: count }, (_, index) => `${t}-${index}@example.com,,A,B,,,,,,,`);
    it.each([
      ['an empty file', Buffer.alloc(0), 'it is empty'],
      ['bytes that are not UTF-8', Buffer.concat([csv(...valid(3)), Buffer.from([0xc3, 0x28])]), 'not UTF-8'],
      ['no header row', Buffer.from(`${valid(2).join('\n')}\n`), 'not a header row'],
      ['a required header column missing', Buffer.from(`Email,First name\n${t}-x@example.com,A\n`), 'lacks the column "Last name"'],
      ['an unknown column', Buffer.from(`Email,First name,Last name,Password\n${t}-x@example.com,A,B,hunter2\n`), 'unknown column "Password"'],
      ['a ragged row after a thousand good ones', csv(...valid(1200), `${t}-ragged@example.com,,A,B`), 'line 1202 has 4 cells but the header has 11'],
      ['a quote left open', csv(...valid(2), `"${t}-open@example.com,,A,B,,,,,,,`), 'a quoted cell is never closed'],
    ])('%s', async (_case, file, message) => {
      const before = await snapshot();
      const refused = await run(file, { invite: 'now' }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(AppError);
      expect((refused as AppError).publicMessage).toContain(message);
      expect(await snapshot()).toEqual(before);
    });

    // Attack: an upload large enough to exhaust memory.
    it('a file over the size limit', async () => {
      const before = await snapshot();
      const file = csv(...valid(100));
      await expect(run(file, { maxBytes: file.length - 1 })).rejects.toMatchObject({ status: 413 });
      expect(await snapshot()).toEqual(before);
      await expect(run(file, { maxBytes: file.length, dryRun: true })).resolves.toMatchObject({ valid: 100 });
    });
  });
});

describe('claimgate import', () => {
  const exec = promisify(execFile);
  let env: NodeJS.ProcessEnv;

  beforeAll(() => {
    const config = testConfigInput(h.dataDir, h.config.database.url, { secret: TEST_SECRET, redis: { url: '' } });
    writeFileSync(join(h.dataDir, 'claimgate.yaml'), stringify(config));
    env = { ...process.env, CLAIMGATE_CONFIG: join(h.dataDir, 'claimgate.yaml') };
  });

  async function claimgate(...args: string[]) {
    return exec('node', ['bin/claimgate.js', ...args], { env, maxBuffer: 64 * 1024 * 1024 });
  }

  function write(name: string, content: Buffer): string {
    const file = join(h.dataDir, name);
    writeFileSync(file, content);
    return file;
  }

  it('prints one JSON summary on stdout and keeps progress off it', async () => {
    const t = tag();
    const file = write(`${t}.csv`, csv(`${t}@example.com,,Cli,Member,,,,,,,`, `${t}-bad,,Cli,Bad,,,,,,,`));
    const { stdout, stderr } = await claimgate('import', file, '--json');
    expect(stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(stdout)).toMatchObject({ rows: 2, valid: 1, invalid: 1, created: 1, rejected: [{ line: 3, class: 'invalid' }] });
    expect(stderr).toBe('');
    expect(await memberBy({ emailNormalized: `${t}@example.com` })).toMatchObject({ status: 'provisioned', name: 'Cli Member' });
  });

  it('prints a readable summary, changes nothing with --dry-run, and mails with --invite now', async () => {
    const t = tag();
    const file = write(`${t}.csv`, csv(`${t}@example.com,,Dry,Run,,,,,,,`));
    const dry = await claimgate('import', file, '--dry-run', '--invite', 'now');
    expect(dry.stdout).toBe('1 row: 1 valid, 0 incomplete, 0 invalid.\nDry run, nothing changed: would create 1, update 0, leave 0 unchanged.\nWould invite 1 by claim link (mailed) and 0 by access code.\n');
    expect(await memberBy({ emailNormalized: `${t}@example.com` })).toBeNull();

    const done = await claimgate('import', file, '--invite', 'now');
    expect(done.stdout).toContain('Invited 1 by claim link (mailed)');
    expect(mailTo(`${t}@example.com`)).toMatch(CLAIM_URL);
  });

  it('shows progress on stderr for a large file', async () => {
    const t = tag();
    const rows = Array.from({ length: 10_000 }, (_, index) => `${t}-${index}@example.com,,F,L,,,,,,,`);
    const { stdout, stderr } = await claimgate('import', write(`${t}.csv`, csv(...rows)), '--json');
    expect(JSON.parse(stdout)).toMatchObject({ created: 10_000 });
    expect(stderr).toContain('\rchecked 10000/10000\n');
    expect(stderr).toContain('\rimported 10000/10000\n');
  }, 120_000);

  it.each([
    ['a ragged row', (t: string) => csv(`${t}@example.com,,A,B,,,,,,,`, `${t}-2@example.com,,A`), [], 'The file cannot be imported: line 3 has 3 cells but the header has 11'],
    ['a file over --max-bytes', (t: string) => csv(`${t}@example.com,,A,B,,,,,,,`), ['--max-bytes', '100'], 'The file is larger than 100 bytes'],
  ])('stops with exit 2 and a clear message on %s, changing nothing', async (_case, content, args, message) => {
    const t = tag();
    const before = await snapshot();
    const failure = await claimgate('import', write(`${t}.csv`, content(t)), ...args).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining(message) });
    expect(await snapshot()).toEqual(before);
  });

  it('stops with exit 2 on a file it cannot read or a bad --max-bytes', async () => {
    await expect(claimgate('import', join(h.dataDir, 'missing.csv'))).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('cannot read') });
    await expect(claimgate('import', h.dataDir)).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('not a file') });
    await expect(claimgate('import', join(h.dataDir, 'missing.csv'), '--max-bytes', 'lots')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('--max-bytes') });
  });
});
