#!/usr/bin/env node
// Member export: `claimgate export --status all` over a million members in a fresh PostgreSQL database, against
// psql's COPY of the same rows in the same run. Prints rows/s of each, their ratio, and the export's peak RSS.
// Needs PostgreSQL (admin URL from DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres) and psql;
// run `npm run build` first. The database is created for the run and dropped at the end.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, createReadStream, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { stringify } from 'yaml';

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 1_000_000);
const ADMIN_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const TIME = '/usr/bin/time';
const RSS_TARGET_MB = 200;

// The member columns of the export, in its order (claim_link and its expiry come from claim_links).
const MEMBER_COLUMNS = [
  'id', 'email', 'employee_id', 'username', 'name', 'first_name', 'last_name', 'title', 'department', 'location', 'phone',
  'locale', 'manager_email', 'start_date', 'login_method', 'status', 'invited_at', 'claimed_at',
];

async function admin(sql) {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Runs a command to completion, stdout to `stdoutFile` if given; `watch(pid)` may return a stop function. Resolves with wall time and stderr. */
function timed(command, args, { env = process.env, stdoutFile, watch } = {}) {
  const out = stdoutFile ? openSync(stdoutFile, 'w') : 'ignore';
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env, stdio: ['ignore', out, 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (data) => { stderr += data; });
    const stop = watch?.(child.pid);
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      stop?.();
      if (stdoutFile) closeSync(out);
      if (code === 0) resolve({ seconds, stderr });
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${stderr}`));
    });
  });
}

/** Polls the kernel's high-water mark of resident memory into `peak.kb`, for systems without GNU time. */
function watchPeakRss(pid, peak) {
  const timer = setInterval(() => {
    try {
      const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (match) peak.kb = Math.max(peak.kb, Number(match[1]));
    } catch { /* the process has exited */ }
  }, 20);
  return () => clearInterval(timer);
}

/** Lines in a file: a CSV's header and rows, as none of the generated cells holds a line break. */
async function countLines(file) {
  let lines = 0;
  for await (const chunk of createReadStream(file)) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
  }
  return lines;
}

/**
 * The members in one statement: most invited with one claim link (a few of them expired, some with an older revoked
 * link besides), some claimed (their link used), provisioned or deactivated; a few cells that start with = or +.
 */
async function load(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`
      INSERT INTO members (id, email, email_normalized, employee_id, name, first_name, last_name, title, department, location, locale,
                           login_method, status, created_at, updated_at, invited_at, claimed_at)
      SELECT gen_random_uuid()::text, email, lower(email), 'E' || lpad(i::text, 7, '0'), first || ' ' || last, first, last,
             CASE WHEN i % 99991 = 0 THEN '=HYPERLINK("http://evil.example")' ELSE title END,
             CASE WHEN i % 99989 = 0 THEN '+44 Sales' ELSE department END,
             location, locale, CASE WHEN i % 7 = 0 THEN 'sso' ELSE 'password' END, status, created, created,
             CASE WHEN status <> 'provisioned' THEN created + interval '1 hour' END,
             CASE WHEN status = 'claimed' THEN created + interval '2 days' END
      FROM generate_series(1, $1::int) AS i,
      LATERAL (SELECT
        (ARRAY['Ada','Grace','Alan','Katherine','Linus','Margaret','Dennis','Barbara','Ken','Radia','Tim','Frances','Edsger','Sophie','Donald'])[1 + i % 15] AS first,
        (ARRAY['Lovelace','Hopper','Turing','Johnson','Torvalds','Hamilton','Ritchie','Liskov','Thompson','Perlman','Berners-Lee','O''Brien','Dijkstra','Wilson','Knuth','Núñez'])[1 + i / 15 % 16] AS last,
        (ARRAY['Engineer','Nurse','Store Associate','Driver','Accountant','Team Lead, Logistics','Analyst'])[1 + i % 7] AS title,
        (ARRAY['Engineering','Operations','Retail','Finance','Sales','Support'])[1 + i % 6] AS department,
        (ARRAY['London, UK','Berlin','Paris','Madrid','New York, NY','Singapore'])[1 + i % 6] AS location,
        (ARRAY['en-GB','de-DE','fr-FR','es-ES','en-US'])[1 + i % 5] AS locale,
        CASE WHEN i % 20 < 16 THEN 'invited' WHEN i % 20 < 18 THEN 'claimed' WHEN i % 20 = 18 THEN 'provisioned' ELSE 'deactivated' END AS status,
        now() - (i % 32) * interval '1 day' - (i % 86400) * interval '1 second' AS created) AS n,
      LATERAL (SELECT lower(first || '.' || replace(last, '''', '')) || '.' || i || '@example.com' AS email) AS e`, [MEMBERS]);
    await client.query(`
      INSERT INTO claim_links (id, member_id, created_at, expires_at, revoked_at)
      SELECT replace(gen_random_uuid()::text, '-', ''), id, invited_at - interval '1 day', invited_at + interval '29 days', invited_at
      FROM members WHERE status = 'invited' AND employee_id LIKE '%3'`);
    await client.query(`
      INSERT INTO claim_links (id, member_id, created_at, expires_at, used_at)
      SELECT replace(gen_random_uuid()::text, '-', ''), id, invited_at, invited_at + interval '30 days',
             CASE WHEN status = 'claimed' THEN claimed_at END
      FROM members WHERE status IN ('invited', 'claimed')`);
    await client.query('VACUUM ANALYZE members');
    await client.query('VACUUM ANALYZE claim_links');
    // The load leaves about a gigabyte of WAL and dirty pages behind: flush them now, so that neither timed run
    // shares the machine with the checkpoint they cause.
    await client.query('CHECKPOINT');
  } finally {
    await client.end();
  }
}

const name = `claimgate_bench_${randomBytes(6).toString('hex')}`;
const url = new URL(ADMIN_URL);
url.pathname = `/${name}`;
const dir = mkdtempSync(join(tmpdir(), 'claimgate-bench-export-'));
const configFile = join(dir, 'claimgate.yaml');
writeFileSync(configFile, stringify({
  baseUrl: 'http://claimgate.bench',
  secret: 'bench-secret-bench-secret-bench-secret-0123456789',
  dataDir: dir,
  database: { url: url.toString() },
  redis: { url: '' },
  mail: { outboxDir: join(dir, 'outbox') },
  log: { level: 'warn' },
}));
const env = { ...process.env, CLAIMGATE_CONFIG: configFile };

await admin(`CREATE DATABASE ${name}`);
try {
  await timed('node', ['bin/claimgate.js', 'migrate'], { env });
  const started = performance.now();
  await load(url.toString());
  console.log(`export benchmark: ${MEMBERS} members loaded in ${((performance.now() - started) / 1000).toFixed(1)}s, node ${process.version}`);

  const exportFile = join(dir, 'members.csv');
  const exportArgs = ['bin/claimgate.js', 'export', '--status', 'all', '--out', exportFile];
  let exported;
  let peakKb;
  let rssSource;
  if (existsSync(TIME)) {
    exported = await timed(TIME, ['-v', 'node', ...exportArgs], { env });
    peakKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(exported.stderr)[1]);
    rssSource = `${TIME} -v`;
  } else {
    const peak = { kb: 0 };
    exported = await timed('node', exportArgs, { env, watch: (pid) => watchPeakRss(pid, peak) });
    peakKb = peak.kb;
    rssSource = 'VmHWM in /proc/<pid>/status, polled every 20 ms';
  }

  const copyFile = join(dir, 'copy.csv');
  const copy = `COPY (SELECT ${MEMBER_COLUMNS.join(', ')} FROM members ORDER BY id) TO STDOUT CSV HEADER`;
  const copied = await timed('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url.toString(), '-c', copy], { stdoutFile: copyFile });

  const exportRows = (await countLines(exportFile)) - 1;
  const copyRows = (await countLines(copyFile)) - 1;
  const exportRate = exportRows / exported.seconds;
  const copyRate = copyRows / copied.seconds;
  const rows = [
    ['', 'rows', 'seconds', 'rows/s'],
    ['claimgate export', exportRows, exported.seconds.toFixed(2), exportRate.toFixed(0)],
    ['psql COPY (baseline)', copyRows, copied.seconds.toFixed(2), copyRate.toFixed(0)],
  ];
  for (const row of rows) console.log(row.map((cell, i) => String(cell).padEnd(i === 0 ? 24 : 12)).join(''));
  console.log(`throughput ratio export / COPY: ${(exportRate / copyRate).toFixed(2)} (target >= 0.5)`);
  console.log(`export peak RSS: ${(peakKb / 1024).toFixed(0)} MB (target < ${RSS_TARGET_MB} MB), from ${rssSource}`);
  console.log(`row counts ${exportRows === copyRows && exportRows === MEMBERS ? 'match' : 'DIFFER'}: export ${exportRows}, COPY ${copyRows}, members ${MEMBERS}`);
} finally {
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  rmSync(dir, { recursive: true, force: true });
}
