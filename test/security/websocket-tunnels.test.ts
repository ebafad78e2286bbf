import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { parseConfig } from '../../src/config/load.js';
import { createApp, type AppHandle } from '../../src/http/app.js';
import { createLogger } from '../../src/logging/logger.js';
import { deactivateMember } from '../../src/members/deactivate.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { csrfFrom, type Agent } from '../support/browser-agent.js';
import { signedInMember } from '../support/claim-walk.js';
import { createTestDatabase, POSTGRES_ADMIN_URL, REDIS_URL, type TestDatabase } from '../support/databases.js';
import { startHarness, testConfigInput, type Harness } from '../support/harness.js';
import { closesWithin, openTunnel } from '../support/tunnel.js';
import { startUpstream } from '../support/upstream.js';

async function signOut(agent: Agent): Promise<void> {
  const page = await agent.get('/_claimgate/me').expect(200);
  await agent.post('/logout').type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
}

function listen(handle: AppHandle): Promise<{ server: Server; port: number }> {
  const server = createServer(handle.handler).listen(0, '127.0.0.1');
  server.on('upgrade', handle.upgrade);
  return new Promise((resolve) => server.once('listening', () => resolve({ server, port: (server.address() as AddressInfo).port })));
}

describe('one replica', () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let h: Harness;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    upstream = await startUpstream();
    h = await startHarness({ upstream: { url: upstream.url, landingPath: '/app' }, gateway: { tunnelRecheck: '200ms' } });
    ({ server, port } = await listen(h.handle));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await h.close();
    await upstream.close();
  });

  // Attack: a socket opened while signed in keeps talking to the upstream as the member after sign-out.
  it('tunnel outliving sign-out: signing out closes the session\'s open WebSocket', async () => {
    const { agent, cookie } = await signedInMember(h.runtime, h.app);
    const socket = await openTunnel(`http://127.0.0.1:${port}`, cookie);
    expect(await closesWithin(socket, 3000, () => signOut(agent))).toBeLessThan(3000);
  });

  // Attack: a member the admin deactivated keeps a socket open to the upstream.
  it('tunnel outliving deactivation: deactivating the member closes the open WebSocket', async () => {
    const { cookie, id } = await signedInMember(h.runtime, h.app);
    const socket = await openTunnel(`http://127.0.0.1:${port}`, cookie);
    expect(await closesWithin(socket, 3000, () => deactivateMember(h.runtime, id, 'admin-test'))).toBeLessThan(3000);
  });

  // Attack: a socket keeps a session alive past its idle timeout (a left-open tab on a shared computer).
  it('tunnel outliving the idle timeout: the open WebSocket closes once its session is idle too long', async () => {
    const { cookie } = await signedInMember(h.runtime, h.app);
    const socket = await openTunnel(`http://127.0.0.1:${port}`, cookie);
    expect(await closesWithin(socket, 3000, async () => h.advance(h.config.session.idleTimeout + 60_000))).toBeLessThan(3000);
  });

  it('a tunnel whose session goes on stays open', async () => {
    const { cookie } = await signedInMember(h.runtime, h.app);
    const socket = await openTunnel(`http://127.0.0.1:${port}`, cookie);
    expect(await closesWithin(socket, 1000, async () => undefined)).toBe(Number.POSITIVE_INFINITY);
  });
});

const withPostgresAndRedis = POSTGRES_ADMIN_URL && REDIS_URL ? describe : describe.skip;

withPostgresAndRedis(`two replicas on PostgreSQL and Redis${POSTGRES_ADMIN_URL && REDIS_URL ? '' : ' (skipped: needs DATABASE_URL and REDIS_URL)'}`, () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let database: TestDatabase;
  const dirs: string[] = [];
  const runtimes: Runtime[] = [];
  const handles: AppHandle[] = [];
  const servers: Server[] = [];
  const ports: number[] = [];

  beforeAll(async () => {
    upstream = await startUpstream();
    database = await createTestDatabase();
    const quiet = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    const prefix = `cgtest:tunnels:${process.pid}:`;
    for (let i = 0; i < 2; i++) {
      const dir = mkdtempSync(join(tmpdir(), 'claimgate-tunnels-'));
      dirs.push(dir);
      // A re-check far in the future: only the announcement over Redis can close the tunnel in time.
      const config = parseConfig(testConfigInput(dir, database.url, {
        redis: { url: REDIS_URL, prefix },
        upstream: { url: upstream.url, landingPath: '/app' },
        gateway: { tunnelRecheck: '1h' },
      }), 'test');
      const runtime = await createRuntime(config, { logger: createLogger('info', quiet) });
      runtimes.push(runtime);
      handles.push(createApp(runtime));
      const { server, port } = await listen(handles[i]!);
      servers.push(server);
      ports.push(port);
    }
  }, 60_000);
  afterAll(async () => {
    for (const server of servers) await new Promise((resolve) => server.close(resolve));
    await Promise.all(handles.map((handle) => handle.close()));
    const keys = await runtimes[0]!.redis!.keys(`${runtimes[0]!.config.redis.prefix}*`);
    if (keys.length) await runtimes[0]!.redis!.del(keys);
    for (const runtime of runtimes) await runtime.close();
    await database.drop();
    await upstream.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  // Attack: a tunnel held by another replica than the one that saw the sign-out keeps carrying the member's identity.
  it('tunnel outliving sign-out on another replica: signing out on A closes the tunnel held by B within a second', async () => {
    const { agent, cookie } = await signedInMember(runtimes[0]!, handles[0]!.handler);
    const socket = await openTunnel(`http://127.0.0.1:${ports[1]!}`, cookie);
    expect(await closesWithin(socket, 1000, () => signOut(agent))).toBeLessThan(1000);
  });

  // Attack: the same, with a deactivation decided on A.
  it('tunnel outliving deactivation on another replica: deactivating on A closes the tunnel held by B within a second', async () => {
    const { cookie, id } = await signedInMember(runtimes[0]!, handles[0]!.handler);
    const socket = await openTunnel(`http://127.0.0.1:${ports[1]!}`, cookie);
    expect(await closesWithin(socket, 1000, () => deactivateMember(runtimes[0]!, id, 'admin-test'))).toBeLessThan(1000);
  });
});
