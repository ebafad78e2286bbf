import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { claimgateCli } from '../support/cli-process.js';
import { createTestDatabase, POSTGRES_ADMIN_URL, REDIS_URL, type TestDatabase } from '../support/databases.js';
import { claimAcross, HttpBrowser } from '../support/http-browser.js';
import { startServerProcess, writeServerConfig, type ServerProcess } from '../support/server-process.js';
import { allowForProcesses, REPLICA_TEST_TIMEOUT } from '../support/timeouts.js';
import { closesWithin, openTunnel } from '../support/tunnel.js';
import { startUpstream } from '../support/upstream.js';

allowForProcesses(REPLICA_TEST_TIMEOUT);

const PASSWORD = 'correct horse battery staple';
const withPostgresAndRedis = POSTGRES_ADMIN_URL && REDIS_URL ? describe : describe.skip;

withPostgresAndRedis(`ending sessions across two replica processes${POSTGRES_ADMIN_URL && REDIS_URL ? '' : ' (skipped: needs DATABASE_URL and REDIS_URL)'}`, () => {
  let dir: string;
  let database: TestDatabase;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let configFile: string;
  let replicas: ServerProcess[] = [];
  let a: string;
  let b: string;

  async function claimed(email: string): Promise<string> {
    const invited = JSON.parse(await claimgateCli(configFile, 'invite', '--email', email, '--name', 'Replica Member', '--json')) as { claimUrl: string; id: string };
    await claimAcross(new HttpBrowser(), [a, b], new URL(invited.claimUrl).pathname, PASSWORD);
    return invited.id;
  }

  async function signedIn(base: string, email: string): Promise<HttpBrowser> {
    const browser = new HttpBrowser();
    const res = await browser.submit(base, '/login', { identifier: email, password: PASSWORD });
    if (res.status !== 303) throw new Error(`sign-in: ${res.status}`);
    return browser;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'claimgate-session-replicas-'));
    database = await createTestDatabase();
    upstream = await startUpstream();
    // A re-check far in the future and no identity cache expiry in sight: only the announcement can act in time.
    configFile = writeServerConfig(dir, database.url, REDIS_URL, {
      upstream: { url: upstream.url, landingPath: '/app' },
      gateway: { tunnelRecheck: '1h', identityCacheTtl: '1h' },
    });
    replicas = [await startServerProcess(configFile)];
    replicas.push(await startServerProcess(configFile));
    [a, b] = replicas.map((replica) => replica.url) as [string, string];
  });
  afterAll(async () => {
    for (const replica of replicas) await replica.stop();
    await upstream?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  // Attack: a stolen session kept alive through an open WebSocket on another replica after the admin signed it out.
  it('an admin\'s "sign out everywhere" on replica A closes the member\'s WebSocket on replica B within a second', async () => {
    const memberId = await claimed('tunnel-admin@example.com');
    await claimed('admin@example.com');
    const admin = await signedIn(a, 'admin@example.com');
    const member = await signedIn(b, 'tunnel-admin@example.com');
    const socket = await openTunnel(b, member.cookieHeader());
    const page = `/admin/people/${memberId}`;
    const elapsed = await closesWithin(socket, 1000, async () => {
      const res = await admin.submit(a, `${page}/sign-out-everywhere`, { confirm: 'yes' }, page);
      expect(res.status).toBe(303);
    });
    expect(elapsed).toBeLessThan(1000);
    expect((await member.request(b, '/app/')).status).toBe(303);
    expect((await member.request(a, '/auth/verify')).status).toBe(401);
  });

  // Attack: a session on a second device surviving the member's own "sign out everywhere else".
  it('a member\'s "sign out everywhere else" on A closes their other session\'s WebSocket on B, and A stays signed in', async () => {
    await claimed('tunnel-self@example.com');
    const here = await signedIn(a, 'tunnel-self@example.com');
    const there = await signedIn(b, 'tunnel-self@example.com');
    const socket = await openTunnel(b, there.cookieHeader());
    const kept = await openTunnel(a, here.cookieHeader());
    const elapsed = await closesWithin(socket, 1000, async () => {
      const res = await here.submit(a, '/_claimgate/account/sessions/end-others', {}, '/_claimgate/account/sessions');
      expect(res.status).toBe(303);
    });
    expect(elapsed).toBeLessThan(1000);
    expect(kept.readyState).toBe(WebSocket.OPEN);
    kept.terminate();
    expect((await here.request(a, '/auth/verify')).status).toBe(202);
    expect((await there.request(b, '/auth/verify')).status).toBe(401);
  });

  // Attack: a changed password leaving the old one's sessions open on another replica (cached identity, open tunnel).
  it('a password change on A ends the session on B and closes its WebSocket within a second', async () => {
    await claimed('tunnel-password@example.com');
    const here = await signedIn(a, 'tunnel-password@example.com');
    const there = await signedIn(b, 'tunnel-password@example.com');
    const socket = await openTunnel(b, there.cookieHeader());
    const fresh = 'a different passphrase entirely';
    const elapsed = await closesWithin(socket, 1000, async () => {
      const res = await here.submit(a, '/_claimgate/account/password', { current: PASSWORD, password: fresh, confirm: fresh });
      expect(res.status).toBe(303);
    });
    expect(elapsed).toBeLessThan(1000);
    expect((await there.request(b, '/app/')).status).toBe(303);
  });
});
