#!/usr/bin/env node
// Route lookup cost, and proxy overhead: the same tiny upstream behind (a) bare Node proxies with no authentication and
// (b) claimgate with a signed-in session in Redis, driven by autocannon in the same run.
// Prints requests/s, p50/p99 latency of each, their ratio, and Redis commands per proxied request.
// Also claimgate with 200 gateway.routes (the request matching the last one, behind a group policy), run side by
// side with the plain claimgate (plain, routes, plain, routes) so that load from elsewhere falls on both alike.
// Needs REDIS_URL (default redis://127.0.0.1:6379); run `npm run build` first. Loopback only.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import argon2 from 'argon2';
import { createProxyServer } from 'http-proxy-3';
import { createClient } from 'redis';
import { parseConfig } from '../../dist/src/config/load.js';
import { createApp } from '../../dist/src/http/app.js';
import { createLogger } from '../../dist/src/logging/logger.js';
import { createRuntime } from '../../dist/src/runtime.js';
import { compileRoutes, refusalFor } from '../../dist/src/gateway/policy/route-table.js';

const run = promisify(execFile);
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

async function autocannon(url, headers = {}) {
  const args = ['node_modules/autocannon/autocannon.js', '-j', '-c', String(CONNECTIONS), '-d', String(DURATION)];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}=${value}`);
  const { stdout } = await run('node', [...args, url], { maxBuffer: 16 * 1024 * 1024 });
  const result = JSON.parse(stdout);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, requests: result.requests.total, non2xx: result.non2xx, errors: result.errors };
}

async function redisCalls(client) {
  const info = await client.info('commandstats');
  let total = 0;
  for (const match of info.matchAll(/^cmdstat_([a-z|]+):calls=(\d+)/gm)) if (match[1] !== 'info') total += Number(match[2]);
  return total;
}

const upstream = createServer((_req, res) => res.end('ok'));
const upstreamUrl = `http://127.0.0.1:${await listen(upstream)}`;

// Two baselines without any authentication: the plainest proxy, and one that forwards as claimgate does (X-Forwarded-*).
const plainProxy = createProxyServer({ target: upstreamUrl, agent: new Agent({ keepAlive: true, maxSockets: 512 }) });
const plain = createServer((req, res) => plainProxy.web(req, res));
const plainUrl = `http://127.0.0.1:${await listen(plain)}`;
const bareProxy = createProxyServer({ target: upstreamUrl, xfwd: true, agent: new Agent({ keepAlive: true, maxSockets: 512 }) });
const bare = createServer((req, res) => bareProxy.web(req, res));
const bareUrl = `http://127.0.0.1:${await listen(bare)}`;

const dataDir = mkdtempSync(join(tmpdir(), 'claimgate-bench-'));
const prefix = `cgbench:${process.pid}:`;
const configInput = {
  baseUrl: 'http://127.0.0.1',
  secret: 'bench-secret-bench-secret-bench-secret-0123',
  dataDir,
  database: { url: process.env.DATABASE_URL ?? '' },
  redis: { url: REDIS_URL, prefix },
  upstream: { url: upstreamUrl },
  log: { level: 'silent' },
};
const config = parseConfig(configInput, 'bench', {});
const runtime = await createRuntime(config, { logger: createLogger('silent') });
const handle = createApp(runtime);
const gateway = createServer(handle.handler);
const gatewayUrl = `http://127.0.0.1:${await listen(gateway)}`;

// The same runtime (database, session store, keys) with 200 routes: 199 that the request does not match, spread
// over hosts, methods and prefixes, then the one it does, which admits the bench member by assigned group.
const ROUTES = Number(process.env.BENCH_ROUTES ?? 200);
const routes = Array.from({ length: ROUTES - 1 }, (_, index) => ({
  name: `r${index}`,
  path: index % 3 === 0 ? `/svc${index}/api` : `/svc${index}`,
  ...(index % 5 === 0 ? { host: `app${index}.example` } : {}),
  ...(index % 7 === 0 ? { methods: ['POST'] } : {}),
  allow: { groups: [`Group ${index}`], domains: [`d${index}.example`] },
  deny: { emails: [`gone${index}@example.com`] },
}));
routes.push({ name: 'bench', path: '/bench', allow: { groups: ['Bench'] }, deny: { emails: ['gone@example.com'] } });
const routedConfig = parseConfig({ ...configInput, gateway: { routes } }, 'bench', {});
const routedHandle = createApp({ ...runtime, config: routedConfig });
const routed = createServer(routedHandle.handler);
const routedUrl = `http://127.0.0.1:${await listen(routed)}`;

// A claimed member with a password, then a real sign-in for a session cookie.
const { db } = runtime;
const now = new Date();
const id = crypto.randomUUID();
const passwordHash = await argon2.hash('bench passphrase long enough');
await db.transaction((m) => m.insert(db.entities.Member, {
  id, email: 'bench@example.com', emailNormalized: 'bench@example.com', employeeId: null, username: null, usernameNormalized: null,
  name: 'Bench Member', firstName: null, lastName: null, title: null, department: null, location: null, phone: null, locale: null,
  managerEmail: null, startDate: null, loginMethod: 'password', status: 'claimed', pictureId: null,
  passwordHash, createdAt: now, updatedAt: now, invitedAt: now, claimedAt: now, deactivatedAt: null,
}));
const group = crypto.randomUUID();
await db.transaction(async (m) => {
  await m.insert(db.entities.Group, { id: group, name: 'Bench', nameNormalized: 'bench', selectable: false, createdAt: now });
  await m.insert(db.entities.Assignment, { memberId: id, groupId: group, source: 'admin', assignedBy: null, createdAt: now });
});
const loginPage = await fetch(`${gatewayUrl}/login`);
const preCookie = loginPage.headers.get('set-cookie').split(';')[0];
const csrf = /name="_csrf" value="([^"]+)"/.exec(await loginPage.text())[1];
const signIn = await fetch(`${gatewayUrl}/login`, {
  method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: preCookie },
  body: new URLSearchParams({ _csrf: csrf, identifier: 'bench@example.com', password: 'bench passphrase long enough' }),
});
const cookie = signIn.headers.get('set-cookie').split(';')[0];
const check = await fetch(`${gatewayUrl}/bench`, { headers: { cookie } });
if (check.status !== 200 || (await check.text()) !== 'ok') throw new Error(`signed-in request did not reach the upstream: ${check.status}`);
const routedCheck = await fetch(`${routedUrl}/bench`, { headers: { cookie } });
if (routedCheck.status !== 200 || (await routedCheck.text()) !== 'ok') throw new Error(`signed-in request did not pass the routes: ${routedCheck.status}`);
const refusedCheck = await fetch(`${routedUrl}/svc3/api`, { headers: { cookie, accept: 'application/json' } });
if (refusedCheck.status !== 403) throw new Error(`a route the member is not allowed on answered ${refusedCheck.status}`);

const redis = createClient({ url: REDIS_URL });
await redis.connect();

console.log(`proxy benchmark: ${CONNECTIONS} connections, ${DURATION}s each, node ${process.version}`);
const plainBaseline = await autocannon(`${plainUrl}/bench`);
const baseline = await autocannon(`${bareUrl}/bench`);
const callsBefore = await redisCalls(redis);
const claimgate = await autocannon(`${gatewayUrl}/bench`, { cookie });
const callsAfter = await redisCalls(redis);
// Alternated, so that a change in the machine's load during the run weighs on both.
const routedFirst = await autocannon(`${routedUrl}/bench`, { cookie });
const plainSecond = await autocannon(`${gatewayUrl}/bench`, { cookie });
const routedSecond = await autocannon(`${routedUrl}/bench`, { cookie });
const plainRps = (claimgate.rps + plainSecond.rps) / 2;
const routedRps = (routedFirst.rps + routedSecond.rps) / 2;

const rows = [
  ['', 'requests/s', 'p50 ms', 'p99 ms', 'requests', 'non-2xx'],
  ['bare proxy, plain', plainBaseline.rps.toFixed(0), plainBaseline.p50, plainBaseline.p99, plainBaseline.requests, plainBaseline.non2xx],
  ['bare proxy, X-Forwarded-*', baseline.rps.toFixed(0), baseline.p50, baseline.p99, baseline.requests, baseline.non2xx],
  ['claimgate (Redis session)', claimgate.rps.toFixed(0), claimgate.p50, claimgate.p99, claimgate.requests, claimgate.non2xx],
  [`claimgate, ${ROUTES} routes`, routedFirst.rps.toFixed(0), routedFirst.p50, routedFirst.p99, routedFirst.requests, routedFirst.non2xx],
  ['claimgate (again)', plainSecond.rps.toFixed(0), plainSecond.p50, plainSecond.p99, plainSecond.requests, plainSecond.non2xx],
  [`claimgate, ${ROUTES} routes (again)`, routedSecond.rps.toFixed(0), routedSecond.p50, routedSecond.p99, routedSecond.requests, routedSecond.non2xx],
];
for (const row of rows) console.log(row.map((cell, i) => String(cell).padEnd(i === 0 ? 34 : 12)).join(''));
const ratio = claimgate.rps / baseline.rps;
const addedP99 = claimgate.p99 - baseline.p99;
const commandsPerRequest = (callsAfter - callsBefore) / claimgate.requests;
console.log(`throughput ratio claimgate / bare with X-Forwarded-*: ${ratio.toFixed(2)} (target >= 0.70)`);
console.log(`throughput ratio claimgate / plain bare: ${(claimgate.rps / plainBaseline.rps).toFixed(2)}`);
console.log(`p99 added: ${addedP99.toFixed(2)} ms over bare with X-Forwarded-*, ${(claimgate.p99 - plainBaseline.p99).toFixed(2)} ms over plain (target <= 2 ms)`);
console.log(`Redis commands per proxied request: ${commandsPerRequest.toFixed(3)} (target <= 1)`);
console.log(`throughput ratio ${ROUTES} routes / no routes (mean of two each): ${(routedRps / plainRps).toFixed(3)}, cost ${((1 - routedRps / plainRps) * 100).toFixed(1)}% (target <= 3%)`);

// The lookup and policy on their own, without the network: what the routes add to each request.
const table = compileRoutes(routedConfig);
const identity = await runtime.identities.get(id);
const lookups = 1_000_000;
let admitted = 0;
const started = process.hrtime.bigint();
for (let index = 0; index < lookups; index++) if (!refusalFor(table.match('127.0.0.1', '/bench', 'GET'), identity)) admitted++;
const nanos = Number(process.hrtime.bigint() - started) / lookups;
if (admitted !== lookups) throw new Error('the bench member was refused');
console.log(`route lookup and policy among ${ROUTES} routes: ${nanos.toFixed(0)} ns per request (${((nanos / 1e9) * plainRps * 100).toFixed(3)}% of a second at the plain claimgate's requests/s)`);

await redis.quit();
for (const server of [gateway, routed, bare, plain, upstream]) server.closeAllConnections?.();
await Promise.all([gateway, routed, bare, plain, upstream].map((server) => new Promise((resolve) => server.close(resolve))));
handle.close();
routedHandle.close();
const keys = await runtime.redis.keys(`${prefix}*`);
if (keys.length) await runtime.redis.del(keys);
await runtime.close();
rmSync(dataDir, { recursive: true, force: true });
