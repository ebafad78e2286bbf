#!/usr/bin/env node
// The admin people list at 100,000 members on PostgreSQL: the page queries the admin pages run (keyset pagination,
// status filter, search) against the OFFSET pagination they replace, at the first page, the middle and the end.
// Prints milliseconds per page (median of several runs); it asserts nothing.
// Needs DATABASE_URL, an admin URL (default postgres://postgres@127.0.0.1:5432/postgres) that may create and drop
// databases; run `npm run build` first. BENCH_ROWS changes the number of members.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { parseConfig } from '../../dist/src/config/load.js';
import { createLogger } from '../../dist/src/logging/logger.js';
import { createRuntime } from '../../dist/src/runtime.js';
import { encodeCursor, findPeople, countByStatus } from '../../dist/src/admin/people-query.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const ADMIN_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const RUNS = 7;

async function admin(statement) {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await client.query(statement);
  } finally {
    await client.end();
  }
}

async function median(work) {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const started = process.hrtime.bigint();
    await work();
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)];
}

const name = `claimgate_bench_${randomBytes(6).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'claimgate-bench-people-'));
await admin(`CREATE DATABASE ${name}`);
const url = new URL(ADMIN_URL);
url.pathname = `/${name}`;
let runtime;
try {
  const config = parseConfig({ baseUrl: 'http://bench.example', secret: 'bench-secret-long-enough-0123456789-abcdefghij', dataDir: dir, database: { url: url.toString() } }, 'bench');
  runtime = await createRuntime(config, { logger: createLogger('silent') });
  const db = runtime.db.source;
  await db.query(`
    INSERT INTO members (id, email, email_normalized, employee_id, name, login_method, status, created_at, updated_at)
    SELECT gen_random_uuid()::text, 'member' || i || '@bench.example', 'member' || i || '@bench.example', 'E' || lpad(i::text, 7, '0'),
           'Person ' || i, 'password', (ARRAY['provisioned','invited','claimed','deactivated'])[1 + i % 4],
           now() - (i || ' seconds')::interval, now()
    FROM generate_series(1, ${ROWS}) AS i`);
  await db.query('ANALYZE members');

  const at = async (position) => {
    const [row] = await db.query(`SELECT id, created_at FROM members ORDER BY created_at DESC, id DESC OFFSET ${position} LIMIT 1`);
    return encodeCursor({ id: row.id, createdAt: new Date(row.created_at) }, 'after');
  };
  const offsetPage = (offset, where = '') => db.query(`SELECT * FROM members ${where} ORDER BY created_at DESC, id DESC LIMIT 50 OFFSET ${offset}`);
  const middle = Math.floor(ROWS / 2);
  const end = ROWS - 50;
  const [middleCursor, endCursor] = [await at(middle), await at(end)];

  const figures = [
    ['first page', await median(() => findPeople(runtime.db, {})), await median(() => offsetPage(0))],
    [`page at member ${middle}`, await median(() => findPeople(runtime.db, {}, middleCursor)), await median(() => offsetPage(middle))],
    [`page at member ${end}`, await median(() => findPeople(runtime.db, {}, endCursor)), await median(() => offsetPage(end))],
    ['status = invited, first page', await median(() => findPeople(runtime.db, { status: 'invited' })), await median(() => offsetPage(0, "WHERE status = 'invited'"))],
    ['search "member4242"', await median(() => findPeople(runtime.db, { search: 'member4242' })), null],
    ['counts by status', await median(() => countByStatus(runtime.db)), null],
  ];
  console.log(`people list, ${ROWS.toLocaleString('en')} members on PostgreSQL, median of ${RUNS} runs (ms per page of 50)`);
  console.log(`${'query'.padEnd(34)} ${'keyset (claimgate)'.padStart(19)} ${'OFFSET baseline'.padStart(16)}`);
  for (const [label, keyset, offset] of figures) {
    console.log(`${label.padEnd(34)} ${keyset.toFixed(2).padStart(19)} ${(offset === null ? '-' : offset.toFixed(2)).padStart(16)}`);
  }
} finally {
  await runtime?.close();
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  rmSync(dir, { recursive: true, force: true });
}
