#!/usr/bin/env node
// What users compare, in one run: the same tiny upstream behind (1) a bare Node proxy with no authentication,
// (2) claimgate with 1 worker and (3) with `auto` workers (one per core), both in production mode (PostgreSQL +
// Redis) with a signed-in session, and (4) Apache + mod_auth_openidc signed in at an OpenID Provider (skipped with
// a note when apache2 or the module is absent). Driven by wrk when installed (autocannon otherwise).
// Prints requests/s, p50 and p99 of each, the ratios the targets name, Redis commands per proxied request, and the
// memory (RSS) of claimgate's processes, and the CPU time each proxy spent per request (from /proc: steadier than
// requests/s when other work shares the machine).
//
// Run `npm run build` first. DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) is used to create
// and drop a scratch database. A private redis-server is started when the binary exists, so that Redis commands
// are counted for claimgate alone; otherwise REDIS_URL (default redis://127.0.0.1:6379) is shared and counted.
// Each row is measured warm: a first load of BENCH_WARMUP seconds (default BENCH_SECONDS), discarded, lets V8
// compile the hot path, the heap and the connection pools reach their working size, as in a server that has been up
// for a while; Apache gets the same. Then the rows are measured in BENCH_ROUNDS interleaved rounds (each in another
// order), so that a slow spell of a shared machine falls on every row alike; each row shows its median round, and
// each ratio is the median of the ratios within a round.
// BENCH_SECONDS (8), BENCH_WARMUP (BENCH_SECONDS), BENCH_ROUNDS (3), BENCH_CONNECTIONS (50), BENCH_THREADS (2).
// Loopback only.
// BENCH_PROFILE=<dir>: only claimgate with 1 worker, under `node --cpu-prof`; prints its top self-time frames
// (profile-summary.mjs) and leaves the .cpuprofile in <dir> for a flame graph (Chrome DevTools, speedscope).
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import argon2 from 'argon2';
import pg from 'pg';
import { createClient } from 'redis';
import { stringify } from 'yaml';
import { startOp, signInAtOp } from './op.mjs';

const run = promisify(execFile);
const DURATION = Number(process.env.BENCH_SECONDS ?? 8);
const WARMUP = Number(process.env.BENCH_WARMUP ?? DURATION);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const THREADS = Number(process.env.BENCH_THREADS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PROFILE_DIR = process.env.BENCH_PROFILE;
const ADMIN_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const SECRET = 'bench-secret-bench-secret-bench-secret-0123';
const METRICS_TOKEN = 'bench-metrics-token-bench-metrics-token-0123';
const PASSWORD = 'bench passphrase long enough';
const HERE = new URL('.', import.meta.url).pathname;
const ROOT = join(HERE, '../..');
const hasWrk = spawnSync('wrk', ['--version']).error === undefined;
const APACHE_MODULE = '/usr/lib/apache2/modules/mod_auth_openidc.so';
const hasApache = spawnSync('apache2', ['-v']).error === undefined && existsSync(APACHE_MODULE);

const children = [];
const dir = mkdtempSync(join(tmpdir(), 'claimgate-bench-'));

/** Starts a process and resolves with it and the first stdout/stderr line that `ready` accepts. */
function startProcess(command, args, ready, options = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  children.push(child);
  const lines = [];
  return new Promise((resolve, reject) => {
    let pending = '';
    const onData = (chunk) => {
      pending += chunk.toString();
      const parts = pending.split('\n');
      pending = parts.pop();
      for (const line of parts) {
        lines.push(line);
        const value = ready(line);
        if (value !== undefined) resolve({ child, lines, value });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${command} exited with ${code}:\n${lines.join('\n')}`)));
  });
}

function jsonField(line, field, message) {
  if (!line.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(line);
    return (message === undefined || parsed.msg === message) ? parsed[field] : undefined;
  } catch {
    return undefined;
  }
}

function stop(child, signal = 'SIGTERM') {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill(signal);
  });
}

function freePort() {
  const server = createServer();
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    server.close(() => resolve(port));
  }));
}

async function load(url, headers = {}, seconds = DURATION) {
  if (hasWrk) {
    const args = ['-t', String(THREADS), '-c', String(CONNECTIONS), '-d', `${seconds}s`, '--latency'];
    for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
    const { stdout } = await run('wrk', [...args, url], { maxBuffer: 1024 * 1024 });
    const ms = (text) => {
      const [, value, unit] = /([\d.]+)(us|ms|s)/.exec(text);
      return Number(value) * (unit === 'us' ? 0.001 : unit === 's' ? 1000 : 1);
    };
    const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0);
    const errors = /Socket errors: (.*)/.exec(stdout)?.[1];
    return {
      rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)[1]),
      p50: ms(/^\s+50%\s+(\S+)/m.exec(stdout)[1]),
      p99: ms(/^\s+99%\s+(\S+)/m.exec(stdout)[1]),
      requests: Number(/(\d+) requests in/.exec(stdout)[1]),
      non2xx,
      errors,
    };
  }
  const args = [join(ROOT, 'node_modules/autocannon/autocannon.js'), '-j', '-c', String(CONNECTIONS), '-d', String(seconds)];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}=${value}`);
  const { stdout } = await run('node', [...args, url], { maxBuffer: 16 * 1024 * 1024 });
  const result = JSON.parse(stdout);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, requests: result.requests.total, non2xx: result.non2xx, errors: result.errors || undefined };
}

/** A load whose figures are discarded: the measured one then finds the proxy warm. */
async function warmUp(url, headers = {}) {
  if (WARMUP > 0) await load(url, headers, WARMUP);
}

async function redisCalls(client) {
  const info = await client.info('commandstats');
  let total = 0;
  let writes = 0;
  for (const match of info.matchAll(/^cmdstat_([a-z|]+):calls=(\d+)/gm)) {
    if (match[1] === 'info') continue;
    total += Number(match[2]);
    if (/^(set|setex|psetex|getset|getex|del|expire|pexpire|incr|incrby|hset|eval|evalsha|fcall)$/.test(match[1])) writes += Number(match[2]);
  }
  return { total, writes };
}

function rssKb(pid) {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
  } catch {
    return 0;
  }
}

const TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100;

/** CPU time (user + system, ms) a process has used so far; 0 when it is gone or /proc is absent. */
function cpuMs(pid) {
  try {
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** `measure()`, and the CPU time (ms) its processes spent on it: a figure the machine's other load moves less. */
async function withCpu(pids, measure) {
  const sum = () => pids.reduce((total, pid) => total + cpuMs(pid), 0);
  const start = sum();
  const result = await measure();
  return { ...result, cpuMs: sum() - start };
}

// --- Redis: a private one when possible, so that the command counts are claimgate's alone ---
let redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
let redisNote = 'shared Redis (counts include any other client)';
let redisServer;
if (spawnSync('redis-server', ['--version']).error === undefined) {
  const port = await freePort();
  redisServer = await startProcess('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], (line) => (line.includes('Ready to accept') ? true : undefined));
  redisUrl = `redis://127.0.0.1:${port}`;
  redisNote = 'private redis-server';
}

// --- PostgreSQL: a scratch database ---
const dbName = `claimgate_bench_${process.pid}`;
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
const databaseUrl = new URL(ADMIN_URL);
databaseUrl.pathname = `/${dbName}`;

/** Stops every process the run started and drops the scratch database, whether the run finished or failed. */
async function cleanUp() {
  for (const child of children) await stop(child);
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
  rmSync(dir, { recursive: true, force: true });
}
process.once('uncaughtException', (error) => {
  console.error(error);
  cleanUp().finally(() => process.exit(1));
});

// --- the upstream and the bare proxy, each a process of its own ---
const upstream = await startProcess('node', [join(HERE, 'upstream.mjs')], (line) => jsonField(line, 'port'));
const upstreamUrl = `http://127.0.0.1:${upstream.value}`;
const bare = await startProcess('node', [join(HERE, 'bare-proxy.mjs'), String(upstream.value)], (line) => jsonField(line, 'port'));

// --- claimgate: migrate and create one claimed member with a password ---
const configFile = join(dir, 'claimgate.yaml');
const writeConfig = (workers) => writeFileSync(configFile, stringify({
  baseUrl: 'http://127.0.0.1',
  secret: SECRET,
  dataDir: dir,
  database: { url: databaseUrl.href },
  redis: { url: redisUrl, prefix: `cgbench:${process.pid}:` },
  server: { workers },
  upstream: { url: upstreamUrl },
  metrics: { enabled: true, token: METRICS_TOKEN },
  log: { level: 'info' },
}));
writeConfig(1);
{
  const { loadConfig } = await import('../../dist/src/config/load.js');
  const { createRuntime } = await import('../../dist/src/runtime.js');
  const { createLogger } = await import('../../dist/src/logging/logger.js');
  const runtime = await createRuntime(loadConfig({ ...process.env, CLAIMGATE_CONFIG: configFile }), { logger: createLogger('silent') });
  const { db } = runtime;
  const now = new Date();
  const passwordHash = await argon2.hash(PASSWORD);
  await db.transaction((m) => m.insert(db.entities.Member, {
    id: crypto.randomUUID(), email: 'bench@example.com', emailNormalized: 'bench@example.com', employeeId: null, username: null, usernameNormalized: null,
    name: 'Bench Member', firstName: null, lastName: null, title: null, department: null, location: null, phone: null, locale: null,
    managerEmail: null, startDate: null, loginMethod: 'password', status: 'claimed', pictureId: null,
    passwordHash, createdAt: now, updatedAt: now, invitedAt: now, claimedAt: now, deactivatedAt: null,
  }));
  await runtime.close();
}

async function signInAtClaimgate(url) {
  const loginPage = await fetch(`${url}/login`);
  const preCookie = loginPage.headers.get('set-cookie').split(';')[0];
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await loginPage.text())[1];
  const signIn = await fetch(`${url}/login`, {
    method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: preCookie },
    body: new URLSearchParams({ _csrf: csrf, identifier: 'bench@example.com', password: PASSWORD }),
  });
  const cookie = signIn.headers.get('set-cookie').split(';')[0];
  const check = await fetch(`${url}/bench`, { headers: { cookie } });
  if (check.status !== 200 || (await check.text()) !== 'ok') throw new Error(`signed-in request did not reach the upstream: ${check.status}`);
  return cookie;
}

const redis = createClient({ url: redisUrl });
await redis.connect();

/** Starts claimgate with `workers`, signs in and warms it up: ready for measured loads. */
async function startClaimgate(workers, nodeOptions = []) {
  writeConfig(workers);
  const server = await startProcess('node', [...nodeOptions, join(ROOT, 'dist/src/server/main.js')], (line) => jsonField(line, 'port', 'claimgate listening'), {
    cwd: ROOT, env: { ...process.env, CLAIMGATE_CONFIG: configFile, PORT: '0' },
  });
  const base = `http://127.0.0.1:${server.value}`;
  const cookie = await signInAtClaimgate(base);
  const pids = [server.child.pid, ...server.lines.map((line) => jsonField(line, 'pid', 'worker listening')).filter(Boolean)];
  const idleRss = pids.map(rssKb);
  await warmUp(`${base}/bench`, { cookie });
  return { base, url: `${base}/bench`, headers: { cookie }, pids, idleRss, child: server.child };
}

/** One measured load of a started claimgate, with its CPU, its Redis commands and its event-loop delay during the load. */
async function measureClaimgate(gate) {
  await eventLoopDelay(gate.base); // the delay histogram restarts at every scrape: this one opens the window
  const before = await redisCalls(redis);
  const redisCpuBefore = redisServer ? cpuMs(redisServer.child.pid) : 0;
  const result = await withCpu(gate.pids, () => load(gate.url, gate.headers));
  const redisCpuMs = redisServer ? cpuMs(redisServer.child.pid) - redisCpuBefore : undefined;
  const after = await redisCalls(redis);
  return { ...result, commands: after.total - before.total, writes: after.writes - before.writes, redisCpuMs, loopDelay: await eventLoopDelay(gate.base) };
}

/** claimgate's event-loop delay (ms) since the previous scrape, the worst worker's: p50, p99, max. */
async function eventLoopDelay(url) {
  const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  const at = (quantile) => 1000 * Number(new RegExp(`^claimgate_event_loop_delay_seconds\\{quantile="${quantile}"\\} (\\S+)$`, 'm').exec(text)?.[1]);
  return { p50: at('0.5'), p99: at('0.99'), max: at('max') };
}

/** Starts Apache + mod_auth_openidc in front of the upstream, signs in at the OpenID Provider and warms it up. */
async function startApache() {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const op = await startOp([`${base}/redirect_uri`]);
  const runtimeDir = join(dir, 'apache');
  spawnSync('mkdir', ['-p', runtimeDir]);
  spawnSync('chmod', ['755', dir, runtimeDir]);
  const conf = join(runtimeDir, 'httpd.conf');
  const modules = '/usr/lib/apache2/modules';
  writeFileSync(conf, `
ServerRoot ${runtimeDir}
ServerName 127.0.0.1
Listen 127.0.0.1:${port}
PidFile ${runtimeDir}/httpd.pid
DefaultRuntimeDir ${runtimeDir}
ErrorLog ${runtimeDir}/error.log
LogLevel warn
${process.getuid?.() === 0 ? 'User www-data\nGroup www-data' : ''}
LoadModule mpm_event_module ${modules}/mod_mpm_event.so
LoadModule authz_core_module ${modules}/mod_authz_core.so
LoadModule authn_core_module ${modules}/mod_authn_core.so
LoadModule authz_user_module ${modules}/mod_authz_user.so
LoadModule proxy_module ${modules}/mod_proxy.so
LoadModule proxy_http_module ${modules}/mod_proxy_http.so
LoadModule auth_openidc_module ${APACHE_MODULE}
KeepAlive On
MaxKeepAliveRequests 0
KeepAliveTimeout 60
OIDCProviderMetadataURL ${op.issuer}/.well-known/openid-configuration
OIDCClientID ${op.clientId}
OIDCClientSecret ${op.clientSecret}
OIDCRedirectURI ${base}/redirect_uri
OIDCCryptoPassphrase bench-crypto-passphrase-0123456789
OIDCScope "openid email profile"
OIDCPKCEMethod S256
ProxyPass /redirect_uri !
ProxyPass / ${upstreamUrl}/
<Location />
  AuthType openid-connect
  Require valid-user
</Location>
`);
  const apache = spawn('apache2', ['-f', conf, '-DFOREGROUND'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(apache);
  let output = '';
  apache.stdout.on('data', (chunk) => (output += chunk));
  apache.stderr.on('data', (chunk) => (output += chunk));
  for (let i = 0; i < 100; i++) {
    if (apache.exitCode !== null) throw new Error(`apache2 exited: ${output} ${existsSync(join(runtimeDir, 'error.log')) ? readFileSync(join(runtimeDir, 'error.log'), 'utf8') : ''}`.replace(/\s+/g, ' '));
    if (await fetch(`${base}/`, { redirect: 'manual' }).then(() => true, () => false)) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const cookie = await signInAtOp(op, `${base}/bench`).catch((error) => {
    const log = readFileSync(join(runtimeDir, 'error.log'), 'utf8').trim().split('\n').filter((line) => /error|crit/.test(line)).slice(-2).join(' | ');
    throw new Error(`${error.message.split('\n')[0].slice(0, 120)} (error.log: ${log})`);
  });
  const check = await fetch(`${base}/bench`, { headers: { cookie } });
  if (check.status !== 200 || (await check.text()) !== 'ok') throw new Error(`Apache signed-in request did not reach the upstream: ${check.status}`);
  await warmUp(`${base}/bench`, { cookie });
  return { url: `${base}/bench`, headers: { cookie }, close: async () => { await stop(apache); await op.close(); } };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const total = (rounds, field) => rounds.reduce((sum, round) => sum + (round[field] ?? 0), 0);

/** A row's figures over its rounds: the median round's req/s and latencies; CPU, Redis and requests over all rounds. */
function summarise(rounds) {
  const requests = total(rounds, 'requests');
  const worst = (field) => Math.max(...rounds.map((round) => round.loopDelay?.[field] ?? 0));
  return {
    rounds,
    rps: median(rounds.map((round) => round.rps)),
    p50: median(rounds.map((round) => round.p50)),
    p99: median(rounds.map((round) => round.p99)),
    requests,
    non2xx: total(rounds, 'non2xx'),
    errors: rounds.map((round) => round.errors).filter(Boolean).join('; ') || undefined,
    cpuUs: (total(rounds, 'cpuMs') * 1000) / requests,
    redisCpuUs: rounds[0].redisCpuMs === undefined ? undefined : (total(rounds, 'redisCpuMs') * 1000) / requests,
    commands: total(rounds, 'commands') / requests,
    writes: total(rounds, 'writes') / requests,
    loopDelay: { p50: worst('p50'), p99: worst('p99'), max: worst('max') },
  };
}

/**
 * Every proxy is started and warmed first, then measured in ROUNDS interleaved rounds, each round in a different
 * order: a slow spell of the machine then falls on every row alike instead of on whichever ran during it. Each
 * ratio is taken within a round, and the median round's ratio is the one judged against its target.
 */
async function compare() {
  const cores = availableParallelism();
  console.log(`proxy benchmark: ${hasWrk ? `wrk -t${THREADS}` : 'autocannon'} -c${CONNECTIONS} ${DURATION}s per load, ${ROUNDS} interleaved rounds after ${WARMUP}s of warm-up each, ${cores} cores, node ${process.version}, PostgreSQL + ${redisNote}, loadavg before ${(await import('node:os')).loadavg().map((v) => v.toFixed(2)).join(' ')}`);
  const bareUrl = `http://127.0.0.1:${bare.value}/bench`;
  await warmUp(bareUrl);
  const one = await startClaimgate(1);
  const auto = await startClaimgate('auto');
  let apache;
  let apacheNote = '';
  if (hasApache) {
    try {
      apache = await startApache();
    } catch (error) {
      apacheNote = `Apache + mod_auth_openidc: failed (${error.message.split('\n')[0]})`;
    }
  } else {
    apacheNote = 'Apache + mod_auth_openidc: skipped (apache2 or libapache2-mod-auth-openidc is not installed)';
  }
  const rows = [
    { key: 'bare', name: 'bare Node proxy (no auth)', measure: () => withCpu([bare.child.pid], () => load(bareUrl)) },
    { key: 'one', name: 'claimgate, 1 worker', measure: () => measureClaimgate(one) },
    { key: 'auto', name: `claimgate, auto (${auto.pids.length - 1} workers)`, measure: () => measureClaimgate(auto) },
    ...(apache ? [{ key: 'apache', name: 'Apache + mod_auth_openidc', measure: () => load(apache.url, apache.headers) }] : []),
  ];
  const measured = Object.fromEntries(rows.map((row) => [row.key, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < rows.length; i++) {
      const row = rows[(round + i) % rows.length];
      measured[row.key].push(await row.measure());
    }
  }
  const oneLoaded = one.pids.map(rssKb);
  const autoLoaded = auto.pids.map(rssKb);
  await stop(one.child);
  await stop(auto.child);
  await apache?.close();
  const result = Object.fromEntries(Object.entries(measured).map(([key, rounds]) => [key, summarise(rounds)]));

  const cell = (value, i) => String(value).padEnd(i === 0 ? 32 : 12);
  console.log(`each row: the median of ${ROUNDS} rounds (req/s and p99 of each round in brackets)`);
  console.log(['', 'requests/s', 'p50 ms', 'p99 ms', 'requests', 'non-2xx'].map(cell).join(''));
  for (const row of rows) {
    const r = result[row.key];
    const perRound = r.rounds.map((round) => `${round.rps.toFixed(0)}/${round.p99.toFixed(1)}`).join(' ');
    console.log([row.name, r.rps.toFixed(0), r.p50.toFixed(2), r.p99.toFixed(2), r.requests, r.non2xx].map(cell).join('') + ` [${perRound}]` + (r.errors ? ` errors: ${r.errors}` : ''));
  }
  if (apacheNote) console.log(apacheNote);
  const verdict = (ok) => (ok ? 'met' : 'NOT met');
  /** The ratio of two rows' `field` in each round, and their median. */
  const ratio = (a, b, field) => {
    const each = result[a].rounds.map((round, i) => round[field] / result[b].rounds[i][field]);
    return { median: median(each), each: each.map((value) => value.toFixed(2)).join(', ') };
  };
  const judged = (value, ok, target) => `${value.median.toFixed(2)} (rounds ${value.each}; target ${target}: ${verdict(ok)})`;
  const oneRps = ratio('one', 'bare', 'rps');
  const autoP99 = ratio('auto', 'bare', 'p99');
  console.log(`claimgate 1 worker / bare Node proxy, req/s: ${judged(oneRps, oneRps.median >= 0.8, '>= 0.80')}; p99: ${ratio('one', 'bare', 'p99').median.toFixed(2)}x`);
  console.log(`claimgate auto / bare Node proxy, req/s: ${ratio('auto', 'bare', 'rps').median.toFixed(2)}; p99: ${judged(autoP99, autoP99.median <= 1.5, '<= 1.5x')}`);
  if (apache) {
    const rps = ratio('auto', 'apache', 'rps');
    const p99 = ratio('auto', 'apache', 'p99');
    console.log(`claimgate auto / Apache + mod_auth_openidc, req/s: ${judged(rps, rps.median >= 1, '>= 1.0')}; p99: ${judged(p99, p99.median <= 1.5, '<= 1.5x')}`);
  }
  const redisShare = (r) => (r.redisCpuUs === undefined ? '' : ` (+ ${r.redisCpuUs.toFixed(0)} in Redis)`);
  console.log(`CPU µs per request over all rounds (user + system, the proxy's own processes): bare Node proxy ${result.bare.cpuUs.toFixed(0)}; claimgate 1 worker ${result.one.cpuUs.toFixed(0)}${redisShare(result.one)}; auto ${result.auto.cpuUs.toFixed(0)}${redisShare(result.auto)}`);
  for (const [name, r, gate, loaded] of [['1 worker', result.one, one, oneLoaded], ['auto', result.auto, auto, autoLoaded]]) {
    console.log(`claimgate ${name}: Redis commands per proxied request ${r.commands.toFixed(3)} (target <= 1), writes ${r.writes.toFixed(3)} (target 0)`);
    console.log(`claimgate ${name}: event-loop delay during the loads, worst round, ms: p50 ${r.loopDelay.p50.toFixed(1)}, p99 ${r.loopDelay.p99.toFixed(1)}, max ${r.loopDelay.max.toFixed(1)}`);
    const mb = (kb) => (kb / 1024).toFixed(0);
    console.log(`claimgate ${name}: RSS MB ${gate.pids.length > 1 ? 'primary, then each worker' : 'of the process'}: idle ${gate.idleRss.map(mb).join(' / ')}; after the loads ${loaded.map(mb).join(' / ')}`);
  }
}

if (PROFILE_DIR) {
  const { summarise } = await import('./profile-summary.mjs');
  const gate = await startClaimgate(1, ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`]);
  const profiled = await measureClaimgate(gate);
  await stop(gate.child);
  console.log(`claimgate, 1 worker, under --cpu-prof: ${profiled.rps.toFixed(0)} requests/s, p50 ${profiled.p50.toFixed(2)} ms, p99 ${profiled.p99.toFixed(2)} ms; event-loop delay p99 ${profiled.loopDelay.p99.toFixed(1)} ms, max ${profiled.loopDelay.max.toFixed(1)} ms`);
  console.log(summarise(PROFILE_DIR));
} else {
  await compare();
}

await redis.quit();
await cleanUp();
