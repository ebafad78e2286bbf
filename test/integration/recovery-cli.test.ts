import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { parseConfig } from '../../src/config/load.js';
import { createApp } from '../../src/http/app.js';
import { createLogger } from '../../src/logging/logger.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { csrfFrom, newAgent } from '../support/browser-agent.js';
import { claimAll, claimWithCode, enterCode } from '../support/claim-walk.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { mailsTo } from '../support/outbox.js';
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

async function withServer<T>(work: (runtime: Runtime, app: ReturnType<typeof createApp>['handler']) => Promise<T>): Promise<T> {
  const runtime = await createRuntime(parseConfig(testConfigInput(dir, database.url, { redis: { url: '' } }), 'test'), { logger: createLogger('silent') });
  try {
    return await work(runtime, createApp(runtime).handler);
  } finally {
    await runtime.close();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'claimgate-recovery-cli-'));
  database = await createTestDatabase();
  const config = testConfigInput(dir, database.url ? '${DATABASE_URL}' : undefined, { secret: '${CLAIMGATE_SECRET}', redis: { url: '' } });
  writeFileSync(join(dir, 'claimgate.yaml'), stringify(config));
  env = { ...process.env, CLAIMGATE_CONFIG: join(dir, 'claimgate.yaml'), CLAIMGATE_SECRET: TEST_SECRET, DATABASE_URL: database.url ?? '' };
});
afterAll(async () => {
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('claimgate recovery commands', () => {
  // Attack: an operator's reset that leaves the old link working, or a reset for an account that cannot use one.
  it('recovery-link mails a working link, kills the older one, and refuses an invited member with exit 2', async () => {
    const invited = JSON.parse(await claimgate('invite', '--email', 'cli-forgot@example.com', '--json')) as { claimUrl: string };
    await withServer((_runtime, app) => claimAll(newAgent(app), invited.claimUrl));
    const first = JSON.parse(await claimgate('recovery-link', 'cli-forgot@example.com', '--json'));
    expect(first).toMatchObject({ email: 'cli-forgot@example.com', expiresAt: expect.any(String) });
    await claimgate('recovery-link', 'cli-forgot@example.com', '--json');
    const links = mailsTo(dir, 'cli-forgot@example.com').flatMap((mail) => [...mail.matchAll(/\/recover\/[0-9a-f]{32}[A-Za-z0-9_-]{43}/g)].map((m) => m[0]));
    expect(new Set(links).size).toBe(2);
    await withServer(async (_runtime, app) => {
      expect((await newAgent(app).get(links[0]!)).status).toBe(404);
      const agent = newAgent(app);
      const page = await agent.get(links.at(-1)!).expect(200);
      await agent.post(links.at(-1)!).type('form').send({ _csrf: csrfFrom(page.text), password: 'plum harbour evening tide', confirm: 'plum harbour evening tide' }).expect(303);
    });
    await claimgate('invite', '--email', 'cli-pending@example.com', '--json');
    await expect(claimgate('recovery-link', 'cli-pending@example.com', '--json')).rejects.toMatchObject({ code: 2, stdout: expect.stringContaining('Recovery links are for claimed members') });
  });

  it('recovery-code prints a grouped code that opens the new-password step on the access-code page', async () => {
    const invited = JSON.parse(await claimgate('invite', '--employee-id', 'CLI-77', '--name', 'Shift Worker', '--json')) as { accessCode: string };
    await withServer((_runtime, app) => claimWithCode(newAgent(app), 'CLI-77', invited.accessCode, 'shiftworker'));
    const issued = JSON.parse(await claimgate('recovery-code', '--member', 'CLI-77', '--json'));
    expect(issued).toMatchObject({ employeeId: 'CLI-77', username: 'shiftworker', recoveryCode: expect.stringMatching(/^[A-Z]{4}(-[A-Z]{4}){3}$/) });
    await withServer(async (_runtime, app) => {
      const started = await enterCode(newAgent(app), 'CLI-77', issued.recoveryCode);
      expect([started.status, started.headers.location]).toEqual([303, '/claim/flow/password']);
    });
    const rows = (await claimgate('audit', '--member', 'CLI-77', '--json')).trim().split('\n').map((line) => JSON.parse(line) as { event: string });
    expect(rows.map((row) => row.event)).toContain('recovery.code_issued');
  });
});
