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
import { newAgent } from '../support/browser-agent.js';
import { claimAll } from '../support/claim-walk.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { TEST_SECRET, testConfigInput } from '../support/harness.js';
import { allowForProcesses } from '../support/timeouts.js';

allowForProcesses();

const run = promisify(execFile);
let dir: string;
let database: TestDatabase;
let env: NodeJS.ProcessEnv;
let runtime: Runtime;
let app: ReturnType<typeof createApp>['handler'];

async function claimgate(...args: string[]): Promise<string> {
  const { stdout } = await run('node', ['bin/claimgate.js', ...args], { env });
  return stdout;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'claimgate-sessions-cli-'));
  database = await createTestDatabase();
  const config = testConfigInput(dir, database.url ? '${DATABASE_URL}' : undefined, { secret: '${CLAIMGATE_SECRET}', redis: { url: '' } });
  writeFileSync(join(dir, 'claimgate.yaml'), stringify(config));
  env = { ...process.env, CLAIMGATE_CONFIG: join(dir, 'claimgate.yaml'), CLAIMGATE_SECRET: TEST_SECRET, DATABASE_URL: database.url ?? '' };
  // The server side, on the same database and secret as the CLI.
  runtime = await createRuntime(parseConfig(testConfigInput(dir, database.url, { redis: { url: '' } }), 'test'), { logger: createLogger('silent') });
  app = createApp(runtime).handler;
});
afterAll(async () => {
  await runtime?.close();
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('session commands of the CLI', () => {
  // Attack: a session an operator cannot see or end without the web pages (admin locked out, incident at night).
  it('lists where a member is signed in, requires a new password, and signs them out everywhere', async () => {
    const invited = JSON.parse(await claimgate('invite', '--email', 'cli-sessions@example.com', '--json')) as { id: string; claimUrl: string };
    const agent = newAgent(app);
    await claimAll(agent, invited.claimUrl);
    await agent.get('/').expect(200);

    const listed = (await claimgate('sessions', 'cli-sessions@example.com', '--json')).trim().split('\n').map((line) => JSON.parse(line) as { address: string; browser: string });
    expect(listed).toHaveLength(1);
    expect(listed[0]!.address).not.toBe('');

    expect(JSON.parse(await claimgate('require-new-password', 'cli-sessions@example.com', '--json'))).toEqual({ id: invited.id, status: 'password_change_required' });
    expect((await agent.get('/').expect(303)).headers.location).toBe('/_claimgate/account/new-password?returnTo=%2F');

    expect(JSON.parse(await claimgate('sign-out-everywhere', invited.id, '--json'))).toEqual({ id: invited.id, status: 'signed_out' });
    expect((await agent.get('/').expect(303)).headers.location).toBe('/login?returnTo=%2F');
    expect(await claimgate('sessions', 'cli-sessions@example.com')).toContain('is not signed in anywhere');

    const events = (await claimgate('audit', '--member', invited.id, '--json')).trim().split('\n').map((line) => (JSON.parse(line) as { event: string }).event);
    expect(events).toEqual(expect.arrayContaining(['member.password_change_required', 'member.signed_out_everywhere', 'session.ended']));
  });

  it('refuses to require a new password of a member who has not claimed, with a clear message', async () => {
    await claimgate('invite', '--email', 'cli-unclaimed@example.com', '--json');
    await expect(claimgate('require-new-password', 'cli-unclaimed@example.com')).rejects.toMatchObject({ stderr: expect.stringContaining('Only a claimed member who signs in with a password') });
  });
});
