import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { RequestListener } from 'node:http';
import { parseConfig } from '../../src/config/load.js';
import { createApp, type AppHandle } from '../../src/http/app.js';
import { createLogger } from '../../src/logging/logger.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { csrfFrom, newAgent } from '../support/browser-agent.js';
import { enterCode } from '../support/claim-walk.js';
import { createTestDatabase, POSTGRES_ADMIN_URL, type TestDatabase } from '../support/databases.js';
import { testConfigInput } from '../support/harness.js';

const withPostgres = POSTGRES_ADMIN_URL ? describe : describe.skip;

/** Two replicas of claimgate on one PostgreSQL and no Redis, whatever REDIS_URL says: the deployment under test. */
withPostgres(`two replicas on one PostgreSQL without Redis${POSTGRES_ADMIN_URL ? '' : ' (skipped: needs DATABASE_URL; the embedded mode is one process)'}`, () => {
  let database: TestDatabase;
  const dirs: string[] = [];
  const runtimes: Runtime[] = [];
  const handles: AppHandle[] = [];
  let apps: RequestListener[];

  beforeAll(async () => {
    database = await createTestDatabase();
    const quiet = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    for (let i = 0; i < 2; i++) {
      const dir = mkdtempSync(join(tmpdir(), 'claimgate-replica-limits-'));
      dirs.push(dir);
      const config = parseConfig(testConfigInput(dir, database.url, {
        redis: { url: '' },
        trustProxy: true,
        claim: { accessCodeLimits: { perIp: 10, perIpWindow: '10m', perMember: 5, global: 1000 } },
      }), 'test');
      const runtime = await createRuntime(config, { logger: createLogger('info', quiet) });
      runtimes.push(runtime);
      handles.push(createApp(runtime));
    }
    apps = handles.map((handle) => handle.handler);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(handles.map((handle) => handle.close()));
    for (const runtime of runtimes) await runtime.close();
    await database.drop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  // Attack: N replicas give N times the guessing budget (each counting one address's guesses on its own).
  it('access-code guessing from one address: the per-address budget is shared by both replicas', async () => {
    const agents = apps.map((app) => newAgent(app));
    const ip = { 'X-Forwarded-For': '203.0.113.77' };
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await enterCode(agents[i % 2]!, `GUESS${i}`, 'ABCD-EFGH-JKMN-PQRS', ip)).status);
    expect(statuses).toEqual([...Array(10).fill(400), 429, 429]);
    const { db } = runtimes[0]!;
    expect(await db.source.manager.countBy(db.entities.AuditEvent, { event: 'claim.code_failed', ip: '203.0.113.77' })).toBe(11);
  });

  // Attack: N replicas give N times the guessing budget (password guesses against one account from one address).
  it('password guessing against one account from one address: the budget is shared by both replicas', async () => {
    const agents = apps.map((app) => newAgent(app));
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const agent = agents[i % 2]!;
      const token = csrfFrom((await agent.get('/login')).text);
      const res = await agent.post('/login').set('X-Forwarded-For', '203.0.113.78').type('form')
        .send({ _csrf: token, identifier: 'target@example.com', password: `guess number ${i}` });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([...Array(10).fill(401), 429, 429]);
  });
});
