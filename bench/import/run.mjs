#!/usr/bin/env node
// Bulk import: a generated CSV of 100,000 members through `claimgate import --invite later` into a fresh PostgreSQL
// database, against psql's `\copy` of the same file into a scratch table shaped like `members` (same columns, same
// indexes). Prints the rows/s of each and their ratio; it asserts nothing.
// Needs psql on PATH and DATABASE_URL, an admin URL (default postgres://postgres@127.0.0.1:5432/postgres), which may
// create and drop databases; run `npm run build` first. BENCH_ROWS changes the number of rows.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { stringify } from 'yaml';
import { IMPORT_COLUMNS } from '../../dist/src/import/columns.js';

const run = promisify(execFile);
const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const ADMIN_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const TARGET_RATIO = 0.3;

const COPY_COLUMNS = {
  email: 'email', employeeId: 'employee_id', firstName: 'first_name', lastName: 'last_name', title: 'title', department: 'department',
  location: 'location', locale: 'locale', managerEmail: 'manager_email', loginMethod: 'login_method', startDate: 'start_date',
};

function generateCsv(file) {
  const fields = Object.keys(IMPORT_COLUMNS);
  const lines = [fields.map((field) => IMPORT_COLUMNS[field]).join(',')];
  const departments = ['Research', 'Sales', 'Support', 'Platform', 'Finance', 'People'];
  for (let i = 0; i < ROWS; i++) {
    const cells = {
      email: `member${i}@bench.example`, employeeId: `E${String(i).padStart(7, '0')}`, firstName: `First${i}`, lastName: `Last${i}`,
      title: i % 7 === 0 ? '"Engineer, Senior"' : 'Engineer', department: departments[i % departments.length], location: 'London',
      locale: i % 3 === 0 ? 'en-GB' : 'de-DE', managerEmail: `manager${i % 500}@bench.example`, loginMethod: 'password',
      startDate: `2026-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`,
    };
    lines.push(fields.map((field) => cells[field]).join(','));
  }
  writeFileSync(file, `${lines.join('\r\n')}\r\n`);
}

async function sql(url, statement) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(statement);
  } finally {
    await client.end();
  }
}

async function timed(work) {
  const started = process.hrtime.bigint();
  const result = await work();
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, result };
}

const dir = mkdtempSync(join(tmpdir(), 'claimgate-bench-import-'));
const name = `claimgate_bench_${randomBytes(6).toString('hex')}`;
const databaseUrl = new URL(ADMIN_URL);
databaseUrl.pathname = `/${name}`;
await sql(ADMIN_URL, `CREATE DATABASE ${name}`);
try {
  const csvFile = join(dir, 'members.csv');
  generateCsv(csvFile);
  const configFile = join(dir, 'claimgate.yaml');
  writeFileSync(configFile, stringify({
    baseUrl: 'http://127.0.0.1:3000',
    secret: 'bench-secret-bench-secret-bench-secret-0123',
    dataDir: join(dir, 'data'),
    database: { url: databaseUrl.toString() },
    log: { level: 'warn' },
  }));
  const env = { ...process.env, CLAIMGATE_CONFIG: configFile };
  const cli = (...args) => run('node', ['bin/claimgate.js', ...args], { env, maxBuffer: 256 * 1024 * 1024 });
  await cli('migrate');

  const imported = await timed(() => cli('import', csvFile, '--invite', 'later', '--json'));
  const report = JSON.parse(imported.result.stdout);
  const members = Number((await sql(databaseUrl.toString(), 'SELECT count(*) AS n FROM members')).rows[0].n);

  await sql(databaseUrl.toString(), [
    'CREATE TABLE bench_copy (LIKE members INCLUDING ALL)',
    'ALTER TABLE bench_copy ALTER COLUMN id SET DEFAULT gen_random_uuid()::text',
    "ALTER TABLE bench_copy ALTER COLUMN status SET DEFAULT 'provisioned'",
    'ALTER TABLE bench_copy ALTER COLUMN created_at SET DEFAULT now()',
    'ALTER TABLE bench_copy ALTER COLUMN updated_at SET DEFAULT now()',
  ].join('; '));
  const columns = Object.keys(IMPORT_COLUMNS).map((field) => COPY_COLUMNS[field]).join(', ');
  const copied = await timed(() => run('psql', [databaseUrl.toString(), '-v', 'ON_ERROR_STOP=1', '-c', `\\copy bench_copy (${columns}) FROM '${csvFile}' WITH (FORMAT csv, HEADER true)`]));
  const copiedRows = Number(/COPY (\d+)/.exec(copied.result.stdout)?.[1] ?? 0);

  const version = (await sql(ADMIN_URL, 'SHOW server_version')).rows[0].server_version;
  const importRate = ROWS / imported.seconds;
  const copyRate = ROWS / copied.seconds;
  console.log(`import benchmark: ${ROWS} rows, ${(statSync(csvFile).size / 1e6).toFixed(1)} MB of CSV, PostgreSQL ${version}, node ${process.version}`);
  const table = [
    ['', 'seconds', 'rows/s', 'rows stored'],
    ['claimgate import --invite later', imported.seconds.toFixed(2), importRate.toFixed(0), members],
    ['psql \\copy (members-shaped table)', copied.seconds.toFixed(2), copyRate.toFixed(0), copiedRows],
  ];
  for (const row of table) console.log(row.map((cell, i) => String(cell).padEnd(i === 0 ? 36 : 14)).join(''));
  console.log(`import report: ${report.valid} valid, ${report.incomplete} incomplete, ${report.invalid} invalid, ${report.created} created`);
  console.log(`throughput ratio claimgate / \\copy: ${(importRate / copyRate).toFixed(3)} (target >= ${TARGET_RATIO})`);
} finally {
  await sql(ADMIN_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  rmSync(dir, { recursive: true, force: true });
}
