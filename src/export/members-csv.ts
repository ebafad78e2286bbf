import type { PoolClient } from 'pg';
import { claimUrl } from '../claim/links.js';
import type { Engine } from '../db/column-types.js';
import type { Database } from '../db/database.js';
import { containsPattern } from '../db/like.js';
import { memberSearchClause } from '../members/search.js';
import type { MemberStatus } from '../db/rows.js';
import type { Runtime } from '../runtime.js';
import { csvRow } from './csv.js';

export const EXPORT_COLUMNS = [
  'id', 'email', 'employee_id', 'name', 'first_name', 'last_name', 'title', 'department', 'location', 'locale',
  'login_method', 'status', 'invited_at', 'claimed_at', 'claim_link', 'claim_link_expires_at',
] as const;

export type ExportStatus = MemberStatus | 'all';

// Small batches and chunks keep every row short-lived: a million members export in a flat ~140 MB.
const BATCH = 1000;
/** Rows per yielded string: the consumer may buffer several. */
const CHUNK = 250;

/** One member as the batch query returns it: text only, timestamps already in ISO 8601 (UTC, milliseconds). */
interface ExportRow {
  id: string;
  email: string | null;
  employee_id: string | null;
  name: string | null;
  first_name: string | null;
  last_name: string | null;
  title: string | null;
  department: string | null;
  location: string | null;
  locale: string | null;
  login_method: string;
  status: string;
  invited_at: string | null;
  claimed_at: string | null;
  link_id: string | null;
  link_expires_at: string | null;
}

/** The same text as `Date.prototype.toISOString()`, written by the database. */
function isoTimestamp(engine: Engine, column: string): string {
  return engine === 'postgres'
    ? `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
    : `strftime('%Y-%m-%dT%H:%M:%fZ', ${column})`;
}

/**
 * The next batch of members after `:after` in id order, each with its newest usable claim link: the rule of
 * `isLinkUsable` (member invited, link neither revoked nor used nor expired) applied in the database.
 */
function batchQuery(engine: Engine, filtered: boolean, searched: boolean): string {
  const usable = 'c.member_id = m.id AND m.status = :invited AND c.revoked_at IS NULL AND c.used_at IS NULL AND c.expires_at > :now';
  const newest = (columns: string) => `SELECT ${columns} FROM claim_links c WHERE ${usable} ORDER BY c.created_at DESC LIMIT 1`;
  // PostgreSQL reads the newest link in a lateral join; SQLite, which has none, finds its id in a correlated subquery.
  const link = engine === 'postgres'
    ? `LEFT JOIN LATERAL (${newest('c.id, c.expires_at')}) l ON true`
    : `LEFT JOIN claim_links l ON l.id = (${newest('c.id')})`;
  return `
    SELECT m.id, m.email, m.employee_id, m.name, m.first_name, m.last_name, m.title, m.department, m.location, m.locale,
           m.login_method, m.status, ${isoTimestamp(engine, 'm.invited_at')} AS invited_at,
           ${isoTimestamp(engine, 'm.claimed_at')} AS claimed_at, l.id AS link_id,
           ${isoTimestamp(engine, 'l.expires_at')} AS link_expires_at
    FROM members m ${link}
    WHERE m.id > :after${filtered ? ' AND m.status = :status' : ''}${searched ? ` AND ${SEARCH_CLAUSE}` : ''}
    ORDER BY m.id
    LIMIT :batch`;
}

const SEARCH_CLAUSE = memberSearchClause('m');

interface BatchReader {
  read(after: string): Promise<ExportRow[]>;
  close(): Promise<void>;
}

async function openBatchReader(db: Database, sql: string, parameters: Record<string, unknown>): Promise<BatchReader> {
  const prepare = (after: string) => db.source.driver.escapeQueryWithParameters(sql, { ...parameters, after });
  if (db.engine !== 'postgres') {
    return { read: (after) => db.source.query(...prepare(after)), close: async () => undefined };
  }
  // One pooled connection, queried through pg's callback API: rows that arrive through its promise API (which
  // TypeORM's query() uses) are moved to V8's old generation, and a million of them took the export past 250 MB.
  const runner = db.source.createQueryRunner();
  const client = (await runner.connect()) as PoolClient;
  return {
    read: (after) => new Promise((resolve, reject) => {
      const [text, values] = prepare(after);
      client.query<ExportRow>({ text, values }, (error, result) => (error ? reject(error) : resolve(result.rows)));
    }),
    close: () => runner.release(),
  };
}

/**
 * Streams the members as CSV, a batch at a time in id order, so memory stays flat however many there are.
 * Each invited, unclaimed member carries the link that is valid now; reading it changes nothing.
 */
export async function* membersCsv(runtime: Runtime, status: ExportStatus, search = ''): AsyncGenerator<string> {
  const { db, config, keys } = runtime;
  const needle = search.trim().toLowerCase();
  const sql = batchQuery(db.engine, status !== 'all', Boolean(needle));
  const line = (row: ExportRow): string => csvRow([
    row.id, row.email, row.employee_id, row.name, row.first_name, row.last_name, row.title, row.department, row.location,
    row.locale, row.login_method, row.status, row.invited_at, row.claimed_at,
    row.link_id ? claimUrl(config.baseUrl, keys.claimLink, row.link_id) : '', row.link_expires_at,
  ]);

  yield csvRow([...EXPORT_COLUMNS]);
  const reader = await openBatchReader(db, sql, { status, now: runtime.now(), invited: 'invited', batch: BATCH, pattern: containsPattern(needle) });
  // The database reads the next batch while this one is written out. A failure surfaces where the batch is awaited,
  // not as an unhandled rejection while the consumer is still busy.
  const readAhead = (after: string): Promise<ExportRow[]> => {
    const batch = reader.read(after);
    batch.catch(() => undefined);
    return batch;
  };
  let next = readAhead('');
  try {
    for (;;) {
      const rows = await next;
      next = rows.length === BATCH ? readAhead(rows[rows.length - 1]!.id) : Promise.resolve([]);
      if (!rows.length) return;
      for (let start = 0; start < rows.length; start += CHUNK) yield rows.slice(start, start + CHUNK).map(line).join('');
    }
  } finally {
    // A consumer that stops early must not leave a query running on a connection about to be released.
    await next.catch(() => undefined);
    await reader.close();
  }
}
