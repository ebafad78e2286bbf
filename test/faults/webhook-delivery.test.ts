import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newWebhookSecret } from '../../src/webhooks/secrets.js';
import { claimgateCli } from '../support/cli-process.js';
import { createTestDatabase, REDIS_URL, type TestDatabase } from '../support/databases.js';
import { startServerProcess, writeServerConfig, type ServerProcess } from '../support/server-process.js';
import { allowForProcesses } from '../support/timeouts.js';
import { startReceiver, type Receiver } from '../support/webhook-receiver.js';

allowForProcesses();

// Real server processes (`npm run build` first), a real receiver verifying with standardwebhooks.
let dir: string;
let database: TestDatabase;
let configFile: string;
let receiver: Receiver;
let hangFirst = true;
const secret = newWebhookSecret();
const running: ServerProcess[] = [];

async function start(): Promise<ServerProcess> {
  const server = await startServerProcess(configFile);
  running.push(server);
  return server;
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

type Event = { type: string; data: { memberId: string } };
const events = () => receiver.unique().map((delivery) => delivery.verified as Event);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'claimgate-webhooks-'));
  database = await createTestDatabase();
  receiver = await startReceiver([secret], (index) => (index === 0 && hangFirst ? 'hang' : 204));
  configFile = writeServerConfig(dir, database.url, REDIS_URL, {
    webhooks: { allowPrivateTargets: true, endpoints: [{ name: 'app', url: receiver.url, secret, events: ['member.invited'] }], timeout: '2s', pollEvery: '1s' },
  });
});
afterAll(async () => {
  for (const server of running) await server.stop('SIGKILL');
  await receiver.close();
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('webhook delivery across processes', () => {
  it('a crash between the audit commit and the delivery loses no event: kill -9 mid-delivery, a restarted server sends it again with the same webhook-id', async () => {
    const first = await start();
    const invited = JSON.parse(await claimgateCli(configFile, 'invite', '--email', 'crash-hook@example.com', '--json')) as { id: string };
    // The server picked the message up and is waiting on the receiver, which holds the request: kill it there.
    await until(() => receiver.deliveries.length === 1, 'the first delivery attempt');
    expect(await first.stop('SIGKILL')).toBeNull();
    hangFirst = false;
    expect(events()).toHaveLength(0);

    const second = await start();
    await until(() => events().length === 1, 'the redelivery');
    expect(receiver.deliveries).toHaveLength(2);
    expect(receiver.deliveries[1]!.id).toBe(receiver.deliveries[0]!.id);
    expect(events()[0]).toMatchObject({ type: 'member.invited', data: { memberId: invited.id } });
    expect(await second.stop()).toBe(0);
  });

  // The embedded mode is one process by design (SQLite, in-process jobs); replicas share PostgreSQL.
  (process.env.DATABASE_URL ? it : it.skip)('two replicas deliver each event once (leases keep a message to one of them), every delivery signed', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    const before = receiver.deliveries.length;
    const rows = Array.from({ length: 60 }, (_, index) => `replica-${index}@example.com,Replica,Number ${index}`);
    const csv = join(dir, 'members.csv');
    writeFileSync(csv, `Email,First name,Last name\n${rows.join('\n')}\n`);
    await claimgateCli(configFile, 'import', csv, '--invite', 'now', '--json');
    await until(() => receiver.deliveries.length - before >= 60, '60 deliveries');
    // Give a duplicate the time to show up, were there one.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const fresh = receiver.deliveries.slice(before);
    expect(fresh).toHaveLength(60);
    expect(new Set(fresh.map((delivery) => delivery.id)).size).toBe(60);
    expect(fresh.every((delivery) => delivery.verified !== undefined)).toBe(true);
    await Promise.all([a.stop(), b.stop()]);
  });
});
