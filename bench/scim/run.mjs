#!/usr/bin/env node
// SCIM provisioning: BENCH_USERS (default 10,000) users created by SCIM POST from 8 concurrent clients against the
// built server on a fresh PostgreSQL database (with Redis when REDIS_URL is set), then as many `active: false`
// PATCHes (each deactivates and ends the member's sessions); beside them, the same number of members created by
// `claimgate import --invite later` in the same run. Prints requests/s and p50/p99 latency; asserts nothing.
// Needs DATABASE_URL, an admin URL (default postgres://postgres@127.0.0.1:5432/postgres) that may create and drop
// databases; run `npm run build` first. BENCH_CONCURRENCY changes the number of clients.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { stringify } from 'yaml';

const run = promisify(execFile);
const USERS = Number(process.env.BENCH_USERS ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const ADMIN_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const SECRET = 'bench-secret-bench-secret-bench-secret-0123';

async function sql(url, statement) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(statement);
  } finally {
    await client.end();
  }
}

function freePort() {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** The built server on a free port, logging warnings only (as in production), ready once /healthz answers. */
async function startServer(env) {
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/src/server/main.js'], { env: { ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  for (let tries = 0; tries < 600; tries++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const ok = await fetch(`${url}/healthz`).then((response) => response.ok, () => false);
    if (ok) return { child, url };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('server did not start');
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** Runs `count` requests from CONCURRENCY clients; each client takes the next index until none are left. */
async function drive(count, request) {
  const latencies = [];
  const failures = new Map();
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    for (let index = next++; index < count; index = next++) {
      const sent = process.hrtime.bigint();
      const status = await request(index);
      latencies.push(Number(process.hrtime.bigint() - sent) / 1e6);
      if (status >= 300) failures.set(status, (failures.get(status) ?? 0) + 1);
    }
  }));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  return { seconds, rate: count / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), failures };
}

const dir = mkdtempSync(join(tmpdir(), 'claimgate-bench-scim-'));
const name = `claimgate_bench_${randomBytes(6).toString('hex')}`;
const databaseUrl = new URL(ADMIN_URL);
databaseUrl.pathname = `/${name}`;
await sql(ADMIN_URL, `CREATE DATABASE ${name}`);
let server;
try {
  const configFile = join(dir, 'claimgate.yaml');
  writeFileSync(configFile, stringify({
    baseUrl: 'http://127.0.0.1:3000',
    secret: SECRET,
    dataDir: join(dir, 'data'),
    database: { url: databaseUrl.toString() },
    redis: { url: process.env.REDIS_URL ?? '', prefix: `bench-${randomBytes(4).toString('hex')}:` },
    scim: { onCreate: 'provision', rateLimit: { requests: 1_000_000, window: '1m' } },
    log: { level: 'warn' },
  }));
  const env = { ...process.env, CLAIMGATE_CONFIG: configFile };
  const cli = (...args) => run('node', ['bin/claimgate.js', ...args], { env, maxBuffer: 256 * 1024 * 1024 });
  await cli('migrate');
  const { token } = JSON.parse((await cli('scim', 'token', 'create', '--name', 'bench', '--json')).stdout);
  server = await startServer(env);
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' };
  const ids = new Array(USERS);

  const created = await drive(USERS, async (i) => {
    const response = await fetch(`${server.url}/scim/v2/Users`, {
      method: 'POST', headers,
      body: JSON.stringify({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
        userName: `scim${i}@bench.example`, externalId: `ext-${i}`, active: true,
        name: { givenName: `First${i}`, familyName: `Last${i}` }, title: 'Engineer',
        emails: [{ value: `scim${i}@bench.example`, type: 'work', primary: true }],
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber: `S${String(i).padStart(7, '0')}`, department: 'Research' },
      }),
    });
    const body = await response.json();
    ids[i] = body.id;
    return response.status;
  });
  const deactivated = await drive(USERS, async (i) => {
    const response = await fetch(`${server.url}/scim/v2/Users/${ids[i]}`, {
      method: 'PATCH', headers,
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] }),
    });
    await response.arrayBuffer();
    return response.status;
  });
  server.child.kill('SIGTERM');
  server = undefined;

  const csvFile = join(dir, 'members.csv');
  const lines = ['Email,Employee ID,First name,Last name,Job Title,Department'];
  for (let i = 0; i < USERS; i++) lines.push(`import${i}@bench.example,I${String(i).padStart(7, '0')},First${i},Last${i},Engineer,Research`);
  writeFileSync(csvFile, `${lines.join('\r\n')}\r\n`);
  const importStarted = process.hrtime.bigint();
  await cli('import', csvFile, '--invite', 'later', '--json');
  const importSeconds = Number(process.hrtime.bigint() - importStarted) / 1e9;

  const counts = (await sql(databaseUrl.toString(), 'SELECT status, count(*) AS n FROM members GROUP BY status ORDER BY status')).rows.map((row) => `${row.status} ${row.n}`).join(', ');
  const version = (await sql(ADMIN_URL, 'SHOW server_version')).rows[0].server_version;
  console.log(`SCIM benchmark: ${USERS} users, ${CONCURRENCY} concurrent clients, PostgreSQL ${version}${process.env.REDIS_URL ? ' + Redis' : ''}, node ${process.version}`);
  const table = [
    ['', 'seconds', 'per second', 'p50 ms', 'p99 ms', 'failed'],
    ['SCIM POST /Users', created.seconds.toFixed(2), created.rate.toFixed(0), created.p50.toFixed(1), created.p99.toFixed(1), [...created.failures].map(([s, n]) => `${n}x${s}`).join(' ') || '0'],
    ['SCIM PATCH active:false', deactivated.seconds.toFixed(2), deactivated.rate.toFixed(0), deactivated.p50.toFixed(1), deactivated.p99.toFixed(1), [...deactivated.failures].map(([s, n]) => `${n}x${s}`).join(' ') || '0'],
    ['claimgate import --invite later', importSeconds.toFixed(2), (USERS / importSeconds).toFixed(0), '', '', ''],
  ];
  for (const row of table) console.log(row.map((cell, i) => String(cell).padEnd(i === 0 ? 34 : 12)).join(''));
  console.log(`members by status: ${counts}`);
} finally {
  server?.child.kill('SIGTERM');
  await sql(ADMIN_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  rmSync(dir, { recursive: true, force: true });
}
