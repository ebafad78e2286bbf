import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { stringify } from 'yaml';
import { parseConfig } from '../../src/config/load.js';
import { createApp } from '../../src/http/app.js';
import { createLogger } from '../../src/logging/logger.js';
import { createRuntime } from '../../src/runtime.js';
import { claimgateCli } from '../support/cli-process.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { testConfigInput } from '../support/harness.js';
import { allowForProcesses } from '../support/timeouts.js';

allowForProcesses();

const run = promisify(execFile);
let dir: string;
let database: TestDatabase;
let configFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'claimgate-scim-cli-'));
  database = await createTestDatabase();
  configFile = join(dir, 'claimgate.yaml');
  writeFileSync(configFile, stringify(testConfigInput(dir, database.url, { redis: { url: '' } })));
});
afterAll(async () => {
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** The server side on the same database, to try a token the CLI printed. */
async function statusWith(token: string): Promise<number> {
  const runtime = await createRuntime(parseConfig(testConfigInput(dir, database.url, { redis: { url: '' } }), 'test'), { logger: createLogger('silent') });
  try {
    return (await request(createApp(runtime).handler).get('/scim/v2/Users').set('Authorization', `Bearer ${token}`)).status;
  } finally {
    await runtime.close();
  }
}

test('scim token create shows the token once, list never shows it, rotate and revoke stop the old one (token leak from the CLI or database)', async () => {
  const created = JSON.parse(await claimgateCli(configFile, 'scim', 'token', 'create', '--name', 'entra', '--json')) as { name: string; token: string; tenantUrl: string };
  expect(created).toMatchObject({ name: 'entra', tenantUrl: 'http://claimgate.test/scim/v2' });
  expect(created.token).toMatch(/^cgscim_[A-Za-z0-9_-]{43}$/);
  expect(await statusWith(created.token)).toBe(200);

  const listed = await claimgateCli(configFile, 'scim', 'token', 'list', '--json');
  expect(listed).toContain('"name":"entra"');
  expect(listed).not.toContain(created.token);

  const duplicate = await run(process.execPath, ['bin/claimgate.js', 'scim', 'token', 'create', '--name', 'entra'], { env: { ...process.env, CLAIMGATE_CONFIG: configFile } }).catch((error: { code: number; stderr: string }) => error);
  expect(duplicate).toMatchObject({ code: 2, stderr: expect.stringContaining('exists already') });

  const rotated = JSON.parse(await claimgateCli(configFile, 'scim', 'token', 'rotate', '--name', 'entra', '--json')) as { token: string };
  expect(await statusWith(created.token)).toBe(401);
  expect(await statusWith(rotated.token)).toBe(200);
  await claimgateCli(configFile, 'scim', 'token', 'revoke', '--name', 'entra');
  expect(await statusWith(rotated.token)).toBe(401);
  expect(await claimgateCli(configFile, 'scim', 'token', 'list')).toMatch(/^entra\trevoked/);
});
