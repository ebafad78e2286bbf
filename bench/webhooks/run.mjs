#!/usr/bin/env node
// 10,000 claim events (claim.completed audit rows, each committed in its own transaction, 32 at a time) delivered by
// the webhook outbox to a local receiver that verifies every signature. Prints events/s, the delay from commit to
// delivery (p50, p99, max) and the queue's backlog over time; it asserts nothing.
// Embedded SQLite by default; with DATABASE_URL (an admin URL that may create and drop databases) a scratch PostgreSQL
// database and pg-boss. Run `npm run build` first. BENCH_EVENTS changes the number of events.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { parseConfig } from '../../dist/src/config/load.js';
import { createLogger } from '../../dist/src/logging/logger.js';
import { createRuntime } from '../../dist/src/runtime.js';
import { serverWorkers } from '../../dist/src/jobs/workers.js';
import { pendingCount } from '../../dist/src/webhooks/deliveries.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000);
const CONCURRENCY = 32;
const ADMIN_URL = process.env.DATABASE_URL;

async function admin(statement) {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await client.query(statement);
  } finally {
    await client.end();
  }
}

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const verifier = new Webhook(secret);
const arrivals = new Map();
let bad = 0;
let duplicates = 0;
const receiver = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const at = Date.now();
    try {
      const event = verifier.verify(Buffer.concat(chunks).toString('utf8'), req.headers);
      if (arrivals.has(req.headers['webhook-id'])) duplicates++;
      else arrivals.set(req.headers['webhook-id'], { at, committed: event.data.details.committedAt });
    } catch {
      bad++;
    }
    res.statusCode = 204;
    res.end();
  });
});
await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${receiver.address().port}/hook`;

const dataDir = mkdtempSync(join(tmpdir(), 'claimgate-bench-webhooks-'));
const dbName = `cg_bench_webhooks_${randomBytes(4).toString('hex')}`;
let databaseUrl = '';
if (ADMIN_URL) {
  await admin(`CREATE DATABASE ${dbName}`);
  const parsed = new URL(ADMIN_URL);
  parsed.pathname = `/${dbName}`;
  databaseUrl = parsed.toString();
}
const config = parseConfig({
  baseUrl: 'http://localhost:3000', secret: 'bench-secret-that-is-long-enough-for-claimgate-0123456789', dataDir,
  database: { url: databaseUrl }, admins: [],
  webhooks: { allowPrivateTargets: true, endpoints: [{ name: 'bench', url, secret, events: ['claim.completed'] }] },
}, 'bench');
const runtime = await createRuntime(config, { logger: createLogger('warn', process.stderr) });
await runtime.jobs.startWorkers(serverWorkers(runtime));

const backlog = [];
const started = Date.now();
const sampler = setInterval(async () => backlog.push([Date.now() - started, await pendingCount(runtime)]), 500);

let next = 0;
async function producer() {
  while (next < EVENTS) {
    const index = next++;
    // The member id orders deliveries per member: 1,000 members with 10 events each.
    const memberId = `00000000-0000-4000-8000-${String(index % 1000).padStart(12, '0')}`;
    await runtime.audit({ event: 'claim.completed', method: 'link', memberId, actorId: memberId, details: { committedAt: Date.now(), index } });
  }
}
await Promise.all(Array.from({ length: CONCURRENCY }, producer));
const committed = Date.now();
while (arrivals.size < EVENTS) await new Promise((resolve) => setTimeout(resolve, 50));
const done = Date.now();
clearInterval(sampler);
backlog.push([done - started, await pendingCount(runtime)]);

const delays = [...arrivals.values()].map((entry) => entry.at - entry.committed).sort((a, b) => a - b);
const pct = (p) => delays[Math.min(delays.length - 1, Math.floor((p / 100) * delays.length))];
console.log(`mode: ${ADMIN_URL ? 'PostgreSQL + pg-boss' : 'embedded SQLite + in-process engine'}`);
console.log(`events: ${EVENTS} committed in ${((committed - started) / 1000).toFixed(1)} s (${Math.round(EVENTS / ((committed - started) / 1000))}/s)`);
console.log(`delivered: ${arrivals.size} in ${((done - started) / 1000).toFixed(1)} s from the first commit: ${Math.round(EVENTS / ((done - started) / 1000))} events/s; bad signatures ${bad}, duplicates ${duplicates}`);
console.log(`delay commit→delivery: p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${delays.at(-1)} ms`);
console.log('backlog (pending messages) over time:');
for (const [at, pending] of backlog) console.log(`  ${(at / 1000).toFixed(1).padStart(6)} s  ${String(pending).padStart(6)}`);

await runtime.close();
receiver.close();
rmSync(dataDir, { recursive: true, force: true });
if (ADMIN_URL) await admin(`DROP DATABASE ${dbName} WITH (FORCE)`);
process.exit(0);
