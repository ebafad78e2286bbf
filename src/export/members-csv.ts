import { claimUrl } from '../claim/links.js';
import type { Database } from '../db/database.js';
import { containsPattern } from '../db/like.js';
import { memberSearchClause } from '../members/search.js';
import type { MemberStatus } from '../db/rows.js';
import type { Runtime } from '../runtime.js';
import { csvRow } from './csv.js';
import { membersCopyLines } from './members-copy.js';

export const EXPORT_COLUMNS = [
  'id', 'email', 'employee_id', 'username', 'name', 'first_name', 'last_name', 'title', 'department', 'location', 'phone',
  'locale', 'manager_email', 'start_date', 'login_method', 'status', 'invited_at', 'claimed_at', 'claim_link',
  'claim_link_expires_at',
] as const;

export type ExportStatus = MemberStatus | 'all';

// On SQLite, small batches and chunks keep every row short-lived, so memory stays flat.
const BATCH = 1000;
/** Rows per yielded string: the consumer may buffer several. */
const CHUNK = 250;

/** One member as the batch query returns it: text only, timestamps already in ISO 8601 (UTC, milliseconds). */
interface ExportRow {
  id: string;
  email: string | null;
  employee_id: string | null;
  username: string | null;
  name: string | null;
  first_name: string | null;
  last_name: string | null;
  title: string | null;
  department: string | null;
  location: string | null;
  phone: string | null;
  locale: string | null;
  manager_email: string | null;
  start_date: string | null;
  login_method: string;
  status: string;
  invited_at: string | null;
  claimed_at: string | null;
  link_id: string | null;
  link_expires_at: string | null;
}

/** The same text as `Date.prototype.toISOString()`, written by SQLite. */
const isoTimestamp = (column: string) => `strftime('%Y-%m-%dT%H:%M:%fZ', ${column})`;

/**
 * The next batch of members after `:after` in id order, each with its newest usable claim link: the rule of
 * `isLinkUsable` (member invited, link neither revoked nor used nor expired) applied in the database, whose id a
 * correlated subquery finds.
 */
function batchQuery(filtered: boolean, searched: boolean): string {
  const usable = 'c.member_id = m.id AND m.status = :invited AND c.revoked_at IS NULL AND c.used_at IS NULL AND c.expires_at > :now';
  return `
    SELECT m.id, m.email, m.employee_id, m.username, m.name, m.first_name, m.last_name, m.title, m.department, m.location,
           m.phone, m.locale, m.manager_email, m.start_date, m.login_method, m.status, ${isoTimestamp('m.invited_at')} AS invited_at,
           ${isoTimestamp('m.claimed_at')} AS claimed_at, l.id AS link_id,
           ${isoTimestamp('l.expires_at')} AS link_expires_at
    FROM members m LEFT JOIN claim_links l ON l.id = (SELECT c.id FROM claim_links c WHERE ${usable} ORDER BY c.created_at DESC LIMIT 1)
    WHERE m.id > :after${filtered ? ' AND m.status = :status' : ''}${searched ? ` AND ${memberSearchClause('m')}` : ''}
    ORDER BY m.id
    LIMIT :batch`;
}

function readBatch(db: Database, sql: string, parameters: Record<string, unknown>, after: string): Promise<ExportRow[]> {
  return db.source.query(...db.source.driver.escapeQueryWithParameters(sql, { ...parameters, after }));
}

/**
 * Streams the members as CSV in id order, so memory stays flat however many there are: on PostgreSQL as one COPY,
 * on SQLite a batch at a time. Each invited, unclaimed member carries the link that is valid now; reading it changes
 * nothing. Every chunk holds whole lines (UTF-8 text, as a string or a Buffer).
 */
export async function* membersCsv(runtime: Runtime, status: ExportStatus, search = ''): AsyncGenerator<string | Buffer> {
  const { db, config, keys } = runtime;
  const needle = search.trim().toLowerCase();
  if (db.engine === 'postgres') {
    yield csvRow([...EXPORT_COLUMNS]);
    yield* membersCopyLines(db, config.baseUrl, keys.claimLink, { status, search: needle }, runtime.now());
    return;
  }
  const sql = batchQuery(status !== 'all', Boolean(needle));
  const line = (row: ExportRow): string => csvRow([
    row.id, row.email, row.employee_id, row.username, row.name, row.first_name, row.last_name, row.title, row.department,
    row.location, row.phone, row.locale, row.manager_email, row.start_date, row.login_method, row.status, row.invited_at, row.claimed_at,
    row.link_id ? claimUrl(config.baseUrl, keys.claimLink, row.link_id) : '', row.link_expires_at,
  ]);

  yield csvRow([...EXPORT_COLUMNS]);
  const parameters = { status, now: runtime.now(), invited: 'invited', batch: BATCH, pattern: containsPattern(needle) };
  // The next batch is read while this one is written out. A failure surfaces where the batch is awaited, not as an
  // unhandled rejection while the consumer is still busy.
  const readAhead = (after: string): Promise<ExportRow[]> => {
    const batch = readBatch(db, sql, parameters, after);
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
    // A consumer that stops early must not leave a query running when it moves on.
    await next.catch(() => undefined);
  }
}
