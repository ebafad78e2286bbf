import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { claimgateCli } from '../support/cli-process.js';
import { createTestDatabase, REDIS_URL, type TestDatabase } from '../support/databases.js';
import { HttpBrowser } from '../support/http-browser.js';
import { startServerProcess, writeServerConfig, type ServerProcess } from '../support/server-process.js';
import { startReceiver } from '../support/webhook-receiver.js';
import { startUpstream } from '../support/upstream.js';
import { allowForProcesses } from '../support/timeouts.js';

allowForProcesses();

// Real server processes (`npm run build` first): embedded SQLite without env, PostgreSQL + Redis with it.
let dir: string;
let database: TestDatabase;
let configFile: string;
const running: ServerProcess[] = [];

async function start(): Promise<ServerProcess> {
  const server = await startServerProcess(configFile);
  running.push(server);
  return server;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'claimgate-process-'));
  database = await createTestDatabase();
  configFile = writeServerConfig(dir, database.url, REDIS_URL);
});
afterAll(async () => {
  for (const server of running) await server.stop('SIGKILL');
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** Sends a request's head and half its body, and returns the socket and a promise of the whole answer. */
function halfSentRequest(url: string) {
  const { port } = new URL(url);
  const socket = connect(Number(port), '127.0.0.1');
  const body = 'identifier=someone%40example.com&password=not-the-password-at-all&_csrf=x';
  const answer = new Promise<string>((resolve, reject) => {
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.on('end', () => resolve(text));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
  const connected = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return {
    answer,
    async sendHead() {
      await connected;
      socket.write(`POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 20)}`);
    },
    sendRest() {
      socket.write(body.slice(20));
    },
  };
}

/** Resolves once the process has written a line containing `text` (the test's timeout bounds the wait). */
async function outputLine(server: ServerProcess, text: string): Promise<void> {
  while (!server.output.some((line) => line.includes(text))) await new Promise((resolve) => setTimeout(resolve, 20));
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

/** Walks a whole claim at a server process (terms, profile, password, groups); the browser is then signed in. */
async function claimAt(browser: HttpBrowser, url: string, claimUrl: string): Promise<void> {
  expect((await browser.submit(url, new URL(claimUrl).pathname, {})).status).toBe(303);
  expect((await browser.submit(url, '/claim/flow/terms', { accept: 'yes' })).status).toBe(303);
  expect((await browser.submit(url, '/claim/flow/profile', { name: 'Tunnel Test' })).status).toBe(303);
  expect((await browser.submit(url, '/claim/flow/password', { password: 'a long enough passphrase', confirm: 'a long enough passphrase' })).status).toBe(303);
  const groups = await browser.request(url, '/claim/flow/groups');
  const id = /name="groups" type="checkbox" value="([^"]+)"/.exec(groups.text)![1]!;
  const token = /name="_csrf" value="([^"]+)"/.exec(groups.text)![1]!;
  expect((await browser.request(url, '/claim/flow/groups', { form: { _csrf: token, groups: id } })).status).toBe(303);
}

describe('process lifecycle', () => {
  it('SIGTERM drains a request in flight: it gets its whole answer, new connections are refused, the process exits 0', async () => {
    const server = await start();
    const slow = halfSentRequest(server.url);
    await slow.sendHead();
    // A request that connected after the half-sent one is answered: the server has taken the half-sent one too.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    server.child.kill('SIGTERM');
    await outputLine(server, 'shutting down');
    expect(server.child.exitCode).toBeNull();
    expect(await refusesConnections(server.url)).toBe(true);
    slow.sendRest();
    const answer = await slow.answer;
    expect(answer).toMatch(/^HTTP\/1\.1 403 /);
    expect(answer).toContain('csrf_invalid');
    const answered = Date.now();
    expect(await server.exited).toBe(0);
    // Drained means done: the process does not sit out the keep-alive timeout of the finished connection.
    expect(Date.now() - answered).toBeLessThan(3000);
    expect(server.output.join('\n')).toContain('"msg":"stopped"');
  });

  it('SIGTERM during a webhook delivery to a receiver that never answers exits 0 at once, and the delivery stays pending', async () => {
    const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    // The first deliveries are answered; then the receiver hangs, as a slow or stuck one does.
    const receiver = await startReceiver([secret], (index) => (index >= 2 ? 'hang' : 204));
    const hookDir = mkdtempSync(join(tmpdir(), 'claimgate-process-hooks-'));
    try {
      const hookDatabase = await createTestDatabase();
      const hookConfig = writeServerConfig(hookDir, hookDatabase.url, REDIS_URL, { webhooks: { allowPrivateTargets: true, endpoints: [{ name: 'lifecycle', url: receiver.url, secret }] } });
      const server = await startServerProcess(hookConfig);
      running.push(server);
      for (const index of [1, 2, 3]) await claimgateCli(hookConfig, 'invite', '--email', `hook-${index}@example.com`);
      while (receiver.deliveries.length < 3) await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      const signalled = Date.now();
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      // Not the delivery timeout (10 s) nor the grace period: the hanging delivery is cut off and retried after a restart.
      expect(Date.now() - signalled).toBeLessThan(5000);
      expect(server.output.join('\n')).not.toContain('after the grace period');
      expect(await claimgateCli(hookConfig, 'webhook', 'deliveries', '--state', 'pending', '--json')).toContain('interrupted: claimgate stopped');
      await hookDatabase.drop();
    } finally {
      await receiver.close();
      rmSync(hookDir, { recursive: true, force: true });
    }
  });

  it('SIGTERM with a WebSocket tunnel open (a drain that waited for it ran out the grace period and exited 1): the tunnel closes and the process exits 0', async () => {
    const upstream = await startUpstream();
    const tunnelDir = mkdtempSync(join(tmpdir(), 'claimgate-process-tunnel-'));
    let server: ServerProcess | undefined;
    try {
      const tunnelDatabase = await createTestDatabase();
      const tunnelConfig = writeServerConfig(tunnelDir, tunnelDatabase.url, REDIS_URL, { upstream: { url: upstream.url } });
      const invited = JSON.parse(await claimgateCli(tunnelConfig, 'invite', '--email', 'tunnel@example.com', '--name', 'Tunnel Test', '--json')) as { claimUrl: string; id: string };
      server = await startServerProcess(tunnelConfig);
      const browser = new HttpBrowser();
      await claimAt(browser, server.url, invited.claimUrl);
      const socket = new WebSocket(`${server.url.replace(/^http/, 'ws')}/socket`, { headers: { Cookie: browser.cookieHeader() } });
      const hello = await new Promise<string>((resolve, reject) => {
        socket.once('message', (data: Buffer) => resolve(data.toString()));
        socket.once('error', reject);
      });
      expect(JSON.parse(hello)).toEqual({ hello: invited.id });
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      server.child.kill('SIGTERM');
      await closed;
      // Exit 0 is the proof: a drain that waited for the tunnel ran out the grace period and exited 1.
      expect(await server.exited).toBe(0);
      const output = server.output.join('\n');
      expect(output).toContain('websocket tunnels closed: shutting down');
      expect(output).not.toContain('after the grace period');
      await tunnelDatabase.drop();
    } finally {
      // A server still holding the tunnel would keep the upstream's close waiting for it.
      await server?.stop('SIGKILL');
      await upstream.close();
      rmSync(tunnelDir, { recursive: true, force: true });
    }
  });

  it('a crash mid-claim loses nothing: after kill -9 and a restart the member resumes at the first unfinished step', async () => {
    const invited = JSON.parse(await claimgateCli(configFile, 'invite', '--email', 'crash@example.com', '--name', 'Crash Test', '--json')) as { claimUrl: string; id: string };
    const claimPath = new URL(invited.claimUrl).pathname;
    const first = await start();
    const browser = new HttpBrowser();
    expect((await browser.submit(first.url, claimPath, {})).status).toBe(303);
    expect((await browser.submit(first.url, '/claim/flow/terms', { accept: 'yes' })).status).toBe(303);
    expect((await first.stop('SIGKILL'))).toBeNull();

    const second = await start();
    // The same browser carries on: its session and the flow's progress are in the shared store, not in the process.
    const resumed = await browser.request(second.url, '/claim/flow');
    expect(resumed.status).toBe(303);
    expect(resumed.location).toBe('/claim/flow/profile');
    // A new device re-proves who it is with the link and lands on the same step.
    const other = new HttpBrowser();
    const again = await other.submit(second.url, claimPath, {});
    expect(again.location).toBe('/claim/flow/profile');
    expect((await browser.submit(second.url, '/claim/flow/profile', { name: 'Crash Test' })).status).toBe(303);
    expect((await browser.submit(second.url, '/claim/flow/password', { password: 'a long enough passphrase', confirm: 'a long enough passphrase' })).status).toBe(303);
    const groups = await browser.request(second.url, '/claim/flow/groups');
    const id = /name="groups" type="checkbox" value="([^"]+)"/.exec(groups.text)![1]!;
    const token = /name="_csrf" value="([^"]+)"/.exec(groups.text)![1]!;
    const done = await browser.request(second.url, '/claim/flow/groups', { form: { _csrf: token, groups: id } });
    expect(done.status).toBe(303);
    const audit = (await claimgateCli(configFile, 'audit', '--json')).trim().split('\n').map((line) => JSON.parse(line) as { event: string; memberId: string });
    expect(audit.filter((entry) => entry.event === 'claim.completed' && entry.memberId === invited.id)).toHaveLength(1);
    expect(await second.stop()).toBe(0);
  });
});
