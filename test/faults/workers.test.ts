import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { claimgateCli } from '../support/cli-process.js';
import { createTestDatabase, POSTGRES_ADMIN_URL, REDIS_URL, type TestDatabase } from '../support/databases.js';
import { TEST_SECRET } from '../support/harness.js';
import { claimAcross, HttpBrowser } from '../support/http-browser.js';
import { startServerProcess, writeServerConfig, type ServerProcess } from '../support/server-process.js';
import { allowForProcesses } from '../support/timeouts.js';
import { startUpstream } from '../support/upstream.js';

allowForProcesses();

const run = promisify(execFile);
const PASSWORD = 'correct horse battery staple';
const METRICS_TOKEN = 'metrics-token-long-enough-for-the-rule-0123';

/** Resolves once the process has written `count` lines containing `text` (the test's timeout bounds the wait). */
async function outputLines(server: ServerProcess, text: string, count = 1): Promise<string[]> {
  for (;;) {
    const lines = server.output.filter((line) => line.includes(text));
    if (lines.length >= count) return lines;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function workerPids(server: ServerProcess): Map<number, number> {
  const pids = new Map<number, number>();
  for (const line of server.output) {
    if (!line.includes('"msg":"worker listening"')) continue;
    const entry = JSON.parse(line) as { worker: number; pid: number };
    pids.set(entry.worker, entry.pid);
  }
  return pids;
}

function refusesConnections(url: string): Promise<boolean> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe('server.workers in the embedded mode', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'claimgate-workers-embedded-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // Two processes writing one SQLite file would lock each other out (SQLITE_BUSY) and lose writes: refused up front.
  it('config check refuses more than one worker on SQLite, naming server.workers', async () => {
    const file = writeServerConfig(dir, undefined, undefined, { server: { workers: 2 } });
    const checked = await run(process.execPath, ['bin/claimgate.js', 'config', 'check', '--json'], {
      env: { ...process.env, CLAIMGATE_CONFIG: file, CLAIMGATE_SECRET: TEST_SECRET },
    }).then(() => undefined, (error: { code: number; stdout: string }) => error);
    expect(checked?.code).toBe(1);
    const result = JSON.parse(checked!.stdout) as { ok: boolean; errors: string[] };
    expect(result.ok).toBe(false);
    expect(result.errors.some((error) => error.startsWith('server.workers:') && error.includes('SQLite'))).toBe(true);
  });

  it('`auto` is refused on SQLite too (it would mean one writer per core)', async () => {
    const file = writeServerConfig(dir, undefined, undefined, { server: { workers: 'auto' } });
    await expect(startServerProcess(file)).rejects.toThrow(/server\.workers: must be 1 in the embedded mode/);
  });
});

/** TCP connections on `port` that process `pid` holds open, read from /proc (what `ss -tnp` shows). */
function connectionsHeldBy(pid: number, port: number): number {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
      if (inode) inodes.add(inode);
    } catch {
      // closed while listing
    }
  }
  let held = 0;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const row of readFileSync(table, 'utf8').trim().split('\n').slice(1)) {
      const columns = row.trim().split(/\s+/);
      const localPort = Number.parseInt(columns[1]!.split(':').pop()!, 16);
      if (localPort === port && columns[3] === '01' && inodes.has(columns[9]!)) held += 1;
    }
  }
  return held;
}

/** Opens a keep-alive connection and resolves once its first answer has arrived (so a worker holds it). */
function keepAliveConnection(url: string): Promise<Socket> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    socket.once('error', reject);
    socket.once('data', () => resolve(socket));
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  });
}

/** Sends one request on a new connection; resolves with the status line, or `closed` if the connection ends first. */
function oneRequest(url: string): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1');
    socket.once('data', (chunk) => {
      resolve(chunk.toString().split('\r\n')[0]!);
      socket.destroy();
    });
    socket.once('close', () => resolve('closed'));
    socket.once('error', () => resolve('closed'));
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
  });
}

const shared = POSTGRES_ADMIN_URL ? describe : describe.skip;

shared(`two workers under one primary${REDIS_URL ? ' (PostgreSQL + Redis)' : ' (PostgreSQL)'}${POSTGRES_ADMIN_URL ? '' : ' (skipped: needs DATABASE_URL)'}`, () => {
  let dir: string;
  let database: TestDatabase;
  let configFile: string;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  const running: ServerProcess[] = [];

  async function start(): Promise<ServerProcess> {
    const server = await startServerProcess(configFile);
    running.push(server);
    return server;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'claimgate-workers-'));
    database = await createTestDatabase();
    upstream = await startUpstream();
    configFile = writeServerConfig(dir, database.url, REDIS_URL, {
      server: { workers: 2 }, upstream: { url: upstream.url }, metrics: { enabled: true, token: METRICS_TOKEN },
    });
  });
  afterAll(async () => {
    for (const server of running) await server.stop('SIGKILL');
    for (const server of running) for (const pid of workerPids(server).values()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await upstream.close();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a worker killed with SIGKILL is restarted and serves; background jobs run in one worker only, then in its replacement', async () => {
    const server = await start();
    await outputLines(server, '"msg":"worker listening"', 2);
    const first = workerPids(server);
    expect([...first.keys()].sort()).toEqual([1, 2]);
    // Jobs once, not once per worker: a second job runner would send every reminder twice.
    const jobs = await outputLines(server, '"msg":"background jobs started"');
    expect(jobs).toHaveLength(1);
    expect((JSON.parse(jobs[0]!) as { worker: number }).worker).toBe(1);

    process.kill(first.get(2)!, 'SIGKILL');
    await outputLines(server, '"msg":"worker restarted"');
    const second = workerPids(server);
    expect(second.get(2)).not.toBe(first.get(2));
    // A connection per request: the primary hands them to the workers in turn, so both answer.
    for (let i = 0; i < 6; i++) expect((await fetch(`${server.url}/healthz`, { headers: { Connection: 'close' } })).status).toBe(200);
    expect(server.output.filter((line) => line.includes('"msg":"background jobs started"'))).toHaveLength(1);

    // The worker running the jobs dies: its replacement takes them over, and still no other worker runs them.
    process.kill(second.get(1)!, 'SIGKILL');
    await outputLines(server, '"msg":"worker restarted"', 2);
    const restartedJobs = await outputLines(server, '"msg":"background jobs started"', 2);
    expect(restartedJobs.map((line) => (JSON.parse(line) as { worker: number }).worker)).toEqual([1, 1]);
    expect(server.child.exitCode).toBeNull();
    expect(await server.stop()).toBe(0);
  });

  it('sign-out through one worker ends the session on every worker (no per-process cache lets it through)', async () => {
    const server = await start();
    const invited = JSON.parse(await claimgateCli(configFile, 'invite', '--email', 'workers@example.com', '--name', 'Worker Member', '--json')) as { claimUrl: string };
    await claimAcross(new HttpBrowser(), [server.url], new URL(invited.claimUrl).pathname, PASSWORD);
    const browser = new HttpBrowser();
    const json = { headers: { Accept: 'application/json' } };
    expect((await browser.submit(server.url, '/login', { identifier: 'workers@example.com', password: PASSWORD })).status).toBe(303);
    // Each request on a new connection, so the two workers take turns; every one of them admits the session.
    for (let i = 0; i < 8; i++) expect((await browser.request(server.url, `/app/${i}`, json)).status).toBe(200);
    expect((await browser.submit(server.url, '/logout', {}, '/_claimgate/me')).status).toBe(303);
    for (let i = 0; i < 8; i++) expect((await browser.request(server.url, `/app/after-${i}`, json)).status).toBe(401);
    expect(upstream.seen.filter((seen) => seen.url.startsWith('/app/after-'))).toHaveLength(0);
    expect(await server.stop()).toBe(0);
  });

  // A scrape reaches one worker: without aggregation it would count only the half of the traffic that worker served.
  it('/metrics on either worker counts the requests of both (aggregated by the primary), with the event-loop delay', async () => {
    const server = await start();
    const json = { Accept: 'application/json', Connection: 'close' };
    // A connection per request: the primary hands them to the two workers in turn.
    for (let i = 0; i < 8; i++) expect((await fetch(`${server.url}/app/metrics-${i}`, { headers: json })).status).toBe(401);
    const scrapes: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${server.url}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}`, Connection: 'close' } });
      expect(res.status).toBe(200);
      scrapes.push(await res.text());
    }
    for (const text of scrapes) {
      expect(text).toMatch(/^claimgate_http_requests_total\{route="gateway",method="GET",status="401"\} 8$/m);
      expect(text).toMatch(/^claimgate_event_loop_delay_seconds\{quantile="0\.99"\} [0-9.e-]+$/m);
    }
    expect(await server.stop()).toBe(0);
  });

  // Misuse of round robin: a burst of keep-alive connections (a load balancer filling its pool) piling onto the worker
  // that acknowledged first, whose requests then wait twice as long for as long as the connections stay open.
  it('hands each connection to the worker holding the fewest: a burst splits evenly, a restarted worker takes the next ones', async () => {
    const server = await start();
    const port = Number(new URL(server.url).port);
    await outputLines(server, '"msg":"worker listening"', 2);
    const pids = workerPids(server);
    const held = () => [1, 2].map((slot) => connectionsHeldBy(workerPids(server).get(slot)!, port));
    const burst = await Promise.all(Array.from({ length: 20 }, () => keepAliveConnection(server.url)));
    expect(held()).toEqual([10, 10]);

    process.kill(pids.get(2)!, 'SIGKILL');
    await outputLines(server, '"msg":"worker restarted"');
    const later = await Promise.all(Array.from({ length: 4 }, () => keepAliveConnection(server.url)));
    expect(held()).toEqual([10, 4]);

    // Handed connections that sit idle do not hold up the drain (it would end at the grace period with exit code 1).
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    for (const socket of [...burst, ...later]) socket.destroy();
  });

  // A worker that hangs, then dies, must not take the connections still waiting to be sent to it into a silence the
  // clients can only time out of (node sends one connection at a time and waits for the worker to take it).
  it('connections waiting for a worker that dies go to another worker; none is left unanswered', async () => {
    const server = await start();
    await outputLines(server, '"msg":"worker listening"', 2);
    const stuck = workerPids(server).get(2)!;
    process.kill(stuck, 'SIGSTOP');
    const answers = Array.from({ length: 6 }, () => oneRequest(server.url));
    // Worker 1's share is answered; worker 2's waits on a process that reads nothing.
    const settled: string[] = [];
    for (const answer of answers) void answer.then((line) => settled.push(line));
    while (settled.length < 3) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toEqual(Array(3).fill('HTTP/1.1 200 OK'));
    process.kill(stuck, 'SIGKILL');
    const lines = await Promise.all(answers);
    // At most the one connection already written to the dead worker's channel is lost, and it is closed, not left open.
    expect(lines.filter((line) => line === 'HTTP/1.1 200 OK').length).toBeGreaterThanOrEqual(5);
    expect(lines.every((line) => line === 'HTTP/1.1 200 OK' || line === 'closed')).toBe(true);
    expect(await server.stop()).toBe(0);
  });

  // A worker that hangs without dying (an endless loop, a stopped process) holds its connections forever: nothing
  // else would ever replace it, and every connection handed to it waits for nothing.
  it('a worker that stops answering is killed and replaced; the connections waiting for it are answered', async () => {
    mkdirSync(join(dir, 'watchdog'));
    const quick = writeServerConfig(join(dir, 'watchdog'), database.url, REDIS_URL, {
      server: { workers: 2, workerTimeout: '2s' }, upstream: { url: upstream.url },
    });
    const server = await startServerProcess(quick);
    running.push(server);
    await outputLines(server, '"msg":"worker listening"', 2);
    const stuck = workerPids(server).get(2)!;
    process.kill(stuck, 'SIGSTOP');
    const lines = await Promise.all(Array.from({ length: 6 }, () => oneRequest(server.url)));
    const killed = JSON.parse((await outputLines(server, '"msg":"worker stopped answering: killing it"'))[0]!) as { worker: number; pid: number; silentForMs: number };
    expect(killed).toMatchObject({ worker: 2, pid: stuck });
    expect(killed.silentForMs).toBeGreaterThan(2000);
    await outputLines(server, '"msg":"worker restarted"');
    expect(workerPids(server).get(2)).not.toBe(stuck);
    // At most the one connection already written to the stopped worker's channel is lost, and it is closed, not left open.
    expect(lines.filter((line) => line === 'HTTP/1.1 200 OK').length).toBeGreaterThanOrEqual(5);
    expect(lines.every((line) => line === 'HTTP/1.1 200 OK' || line === 'closed')).toBe(true);
    for (let i = 0; i < 4; i++) expect(await oneRequest(server.url)).toBe('HTTP/1.1 200 OK');
    expect(await server.stop()).toBe(0);
  });

  it('SIGTERM to the primary drains every worker: a request in flight gets its whole answer, new connections are refused, exit 0', async () => {
    const server = await start();
    const { port } = new URL(server.url);
    const socket = connect(Number(port), '127.0.0.1');
    const body = 'identifier=someone%40example.com&password=not-the-password-at-all&_csrf=x';
    const answer = new Promise<string>((resolve, reject) => {
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(`POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 20)}`);
    // Connected after the half-sent request and answered: the half-sent one has been handed to a worker too.
    for (let i = 0; i < 2; i++) expect((await fetch(`${server.url}/healthz`, { headers: { Connection: 'close' } })).status).toBe(200);
    server.child.kill('SIGTERM');
    await outputLines(server, 'shutting down: draining requests in flight', 2);
    // The port closes once every worker has stopped listening, while the request in flight keeps its worker running.
    while (!(await refusesConnections(server.url))) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.child.exitCode).toBeNull();
    socket.write(body.slice(20));
    expect(await answer).toMatch(/^HTTP\/1\.1 403 [\s\S]*csrf_invalid/);
    expect(await server.exited).toBe(0);
    expect(server.output.filter((line) => line.includes('"msg":"stopped"'))).toHaveLength(3);
  });
});
