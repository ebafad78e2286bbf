import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { parseConfig } from '../../src/config/load.js';
import { createApp } from '../../src/http/app.js';
import { createLogger } from '../../src/logging/logger.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { newAgent, claimPath } from '../support/browser-agent.js';
import { claimAll, enterCode } from '../support/claim-walk.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { TEST_SECRET, testConfigInput } from '../support/harness.js';
import { allowForProcesses } from '../support/timeouts.js';

allowForProcesses();

const run = promisify(execFile);
let dir: string;
let database: TestDatabase;
let env: NodeJS.ProcessEnv;

async function claimgate(...args: string[]): Promise<string> {
  const { stdout } = await run('node', ['bin/claimgate.js', ...args], { env });
  return stdout;
}

/** The server side, on the same database and secret as the CLI. */
async function withServer<T>(work: (runtime: Runtime, app: ReturnType<typeof createApp>['handler']) => Promise<T>): Promise<T> {
  const input = testConfigInput(dir, database.url, { redis: { url: '' } });
  const runtime = await createRuntime(parseConfig(input, 'test'), { logger: createLogger('silent') });
  try {
    return await work(runtime, createApp(runtime).handler);
  } finally {
    await runtime.close();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'claimgate-cli-'));
  database = await createTestDatabase();
  const config = testConfigInput(dir, database.url ? '${DATABASE_URL}' : undefined, { secret: '${CLAIMGATE_SECRET}', redis: { url: '' } });
  writeFileSync(join(dir, 'claimgate.yaml'), stringify(config));
  env = { ...process.env, CLAIMGATE_CONFIG: join(dir, 'claimgate.yaml'), CLAIMGATE_SECRET: TEST_SECRET, DATABASE_URL: database.url ?? '' };
});
afterAll(async () => {
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('claimgate CLI', () => {
  it('migrate reports the schema state', async () => {
    const out = JSON.parse(await claimgate('migrate', '--json'));
    expect(out.engine).toBe(database.url ? 'postgres' : 'better-sqlite3');
    expect(JSON.parse(await claimgate('migrate', '--json')).applied).toEqual([]);
  });

  it('invite --json prints the contract fields and mails the link to the outbox', async () => {
    const out = JSON.parse(await claimgate('invite', '--email', 'ada@example.com', '--name', "Ada O'Brien & Co", '--json'));
    expect(out).toMatchObject({ email: 'ada@example.com', status: 'invited', name: "Ada O'Brien & Co" });
    expect(out.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.claimUrl).toMatch(/^http:\/\/claimgate\.test\/claim\/[0-9a-f]{32}[A-Za-z0-9_-]{43}$/);
    const mails = readdirSync(join(dir, 'outbox')).map((file) => readFileSync(join(dir, 'outbox', file), 'utf8'));
    const mail = mails.find((text) => text.includes('To: ada@example.com'));
    expect(mail).toBeDefined();
    expect(mail!.replace(/=\r?\n/g, '')).toContain(out.claimUrl);
    // The plain-text part is not HTML: the name arrives as typed.
    expect(mail).toContain("Hello Ada O'Brien & Co,");
  });

  it('refuses a bad email with a clear message and a non-zero exit', async () => {
    await expect(claimgate('invite', '--email', 'not-an-email', '--json')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('is not an email address') });
  });

  it('export writes CSV with the current claim links, repeats them unchanged, and the link completes a claim', async () => {
    const invited = JSON.parse(await claimgate('invite', '--email', 'csv@example.com', '--name', '=HYPERLINK("http://evil")', '--json'));
    const out = join(dir, 'members.csv');
    await claimgate('export', '--status', 'invited', '--out', out);
    const first = readFileSync(out, 'utf8');
    const stdout = await claimgate('export', '--status', 'invited');
    expect(stdout).toBe(first);
    const [header, ...rows] = first.trim().split('\r\n');
    const columns = header!.split(',');
    expect(columns).toEqual(expect.arrayContaining(['email', 'status', 'claim_link']));
    const row = rows.find((line) => line.includes('csv@example.com'))!;
    expect(row).toContain(invited.claimUrl);
    expect(row).toContain(`"'=HYPERLINK(""http://evil"")"`);

    await withServer(async (_runtime, app) => {
      const done = await claimAll(newAgent(app), invited.claimUrl);
      expect(done.headers.location).toBe('/');
      await newAgent(app).get(claimPath(invited.claimUrl)).expect(404);
    });
    const after = await claimgate('export', '--status', 'claimed');
    const claimedRow = after.split('\r\n').find((line) => line.includes('csv@example.com'))!;
    expect(claimedRow).toContain(',claimed,');
    expect(claimedRow).not.toContain('/claim/');
  });

  it('audit --json prints one event object per line', async () => {
    const lines = (await claimgate('audit', '--json', '--limit', '50')).trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      expect(Object.keys(line)).toEqual(expect.arrayContaining(['event', 'time', 'memberId']));
      expect(new Date(line.time).toISOString()).toBe(line.time);
    }
    expect(lines.map((line) => line.event)).toEqual(expect.arrayContaining(['member.invited', 'claim.completed', 'export.requested']));
    const text = JSON.stringify(lines);
    expect(text).not.toMatch(/[0-9a-f]{32}[A-Za-z0-9_-]{43}/);
  });

  it('invite --employee-id prints an access code; export --codes repeats it; access-code replaces or deactivates it', async () => {
    const invited = JSON.parse(await claimgate('invite', '--employee-id', 'emp-001', '--name', 'Frontline One', '--json'));
    expect(invited).toMatchObject({ employeeId: 'EMP-001', status: 'invited', name: 'Frontline One' });
    expect(invited.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(invited.accessCode).toMatch(/^[A-HJKMNP-TV-Z]{4}(-[A-HJKMNP-TV-Z]{4}){3}$/);

    const codes = await claimgate('export', '--codes');
    expect(codes.split('\r\n')[0]).toBe('id,employee_id,name,status,access_code,access_code_expires_at');
    expect(codes).toContain(`EMP-001,Frontline One,invited,${invited.accessCode},`);
    expect(await claimgate('export', '--codes')).toBe(codes);

    const replaced = JSON.parse(await claimgate('access-code', '--member', 'EMP-001', '--json'));
    expect(replaced.accessCode).not.toBe(invited.accessCode);
    const after = await claimgate('export', '--codes');
    expect(after).toContain(replaced.accessCode);
    expect(after).not.toContain(invited.accessCode);

    await withServer(async (_runtime, app) => {
      const old = await enterCode(newAgent(app), 'EMP-001', invited.accessCode);
      expect(old.status).toBe(400);
      const current = await enterCode(newAgent(app), 'emp-001', replaced.accessCode);
      expect(current.status).toBe(303);
    });

    expect(JSON.parse(await claimgate('access-code', '--member', invited.id, '--deactivate', '--json'))).toMatchObject({ id: invited.id, revoked: 1 });
    expect(await claimgate('export', '--codes')).not.toContain('EMP-001');
    await expect(claimgate('invite', '--employee-id', 'has space', '--json')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('employee ID') });
  });

  it('deactivate ends any state and refuses an unknown member with exit 2', async () => {
    const invited = JSON.parse(await claimgate('invite', '--email', 'leaver@example.com', '--json'));
    expect(JSON.parse(await claimgate('deactivate', 'LEAVER@example.com', '--json'))).toEqual({ id: invited.id, status: 'deactivated' });
    await withServer(async (_runtime, app) => {
      await newAgent(app).get(claimPath(invited.claimUrl)).expect(404);
    });
    await expect(claimgate('deactivate', 'nobody@example.com')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('no member nobody@example.com') });
    const events = (await claimgate('audit', '--json', '--member', invited.id)).trim().split('\n').map((line) => JSON.parse(line).event);
    expect(events).toContain('member.deactivated');
  });

  it('resend mails the same working link again; reminders --json reports what it sent', async () => {
    const invited = JSON.parse(await claimgate('invite', '--email', 'again@example.com', '--json'));
    expect(JSON.parse(await claimgate('resend', 'again@example.com', '--json'))).toEqual({ id: invited.id, status: 'invited' });
    await withServer(async (_runtime, app) => {
      await newAgent(app).get(claimPath(invited.claimUrl)).expect(200);
    });
    expect(JSON.parse(await claimgate('reminders', '--json'))).toEqual({ sent: 0 });
    await expect(claimgate('resend', 'nobody@example.com')).rejects.toMatchObject({ code: 2 });
  });

  it('ends quietly when its reader goes away (audit --json | head -1), and answers --json refusals in JSON', async () => {
    for (let index = 0; index < 3; index += 1) await claimgate('invite', '--email', `piped${index}@example.com`);
    const { stdout, stderr } = await run('sh', ['-c', 'node bin/claimgate.js audit --json | head -1; echo "exit=$?"'], { env });
    expect(stdout.split('\n')[0]).toMatch(/^\{"/);
    expect(stdout).toContain('exit=0');
    expect(stderr).not.toContain('EPIPE');
    await expect(claimgate('resend', 'nobody@example.com', '--json')).rejects.toMatchObject({ code: 2, stdout: expect.stringContaining('{"error":{"message":"no member nobody@example.com"}}') });
  });

  it('revoke kills the link and returns the member to provisioned', async () => {
    const invited = JSON.parse(await claimgate('invite', '--email', 'revoke@example.com', '--json'));
    expect(JSON.parse(await claimgate('revoke', 'revoke@example.com', '--json'))).toEqual({ id: invited.id, status: 'provisioned' });
    await withServer(async (_runtime, app) => {
      await newAgent(app).get(claimPath(invited.claimUrl)).expect(404);
    });
  });
  // Last: it empties the audit table of everything the tests above wrote.
  it('audit archive exports the events before a date with their digest, deletes them, and leaves audit.archived behind', async () => {
    const count = (await claimgate('audit', '--json', '--limit', '100000')).trim().split('\n').length;
    const out = join(dir, 'archive.jsonl');
    const before = new Date(Date.now() + 60_000).toISOString();
    const printed = await claimgate('audit', 'archive', '--before', before, '--out', out);
    const file = readFileSync(out, 'utf8');
    expect(file.trim().split('\n')).toHaveLength(count);
    const digest = createHash('sha256').update(file).digest('hex');
    expect(printed).toContain(`archived ${count} audit events`);
    expect(printed).toContain(`sha256 ${digest}`);
    const left = (await claimgate('audit', '--json')).trim().split('\n').map((line) => JSON.parse(line));
    expect(left).toHaveLength(1);
    expect(left[0]).toMatchObject({ event: 'audit.archived', details: { count, sha256: digest, file: out } });
    await expect(claimgate('audit', 'archive', '--before', before, '--out', out)).rejects.toMatchObject({ code: expect.any(Number) });
  });
});
