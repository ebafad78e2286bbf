import type { Pool, PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { Database } from '../db/database.js';
import { containsPattern } from '../db/like.js';
import { memberSearchClause } from '../members/search.js';
import { exportLines } from './export-lines.js';
import { LinkQueue } from './link-queue.js';
import type { ExportStatus } from './members-csv.js';

const MEMBER_COLUMNS = [
  'id', 'email', 'employee_id', 'username', 'name', 'first_name', 'last_name', 'title', 'department', 'location', 'phone', 'locale',
  'manager_email', 'start_date', 'login_method', 'status',
];

/**
 * A text cell as `csvCell` writes it, leaving the quoting to COPY (which quotes exactly the cells that hold a comma, a
 * quote or a line break): a formula start (= + - @ tab CR) gets a leading apostrophe, and an empty text is written as
 * an empty cell, which COPY does for NULL only.
 */
const cell = (column: string) => `CASE WHEN ascii(${column}) IN (61, 43, 45, 64, 9, 13) THEN '''' || ${column} ELSE nullif(${column}, '') END`;

/** The same text as `Date.prototype.toISOString()`. */
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export interface MemberFilter {
  status: ExportStatus;
  /** Lower-case text to search for; empty for everyone. */
  search: string;
}

/** The filter's conditions on members `m`, as SQL with quoted literals (COPY takes no parameters). */
function filterConditions(client: PoolClient, filter: MemberFilter): string[] {
  const conditions: string[] = [];
  if (filter.status !== 'all') conditions.push(`m.status = ${client.escapeLiteral(filter.status)}`);
  if (filter.search) conditions.push(memberSearchClause('m', client.escapeLiteral(containsPattern(filter.search))));
  return conditions;
}

/** The members in id order: 1 for an invited member, then the export's cells up to claimed_at. */
function membersCopy(client: PoolClient, filter: MemberFilter): string {
  const conditions = filterConditions(client, filter);
  return `COPY (
    SELECT CASE WHEN m.status = 'invited' THEN 1 END, ${MEMBER_COLUMNS.map((column) => cell(`m.${column}`)).join(', ')},
           ${iso('m.invited_at')}, ${iso('m.claimed_at')}
    FROM members m ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
    ORDER BY m.id
  ) TO STDOUT (FORMAT csv)`;
}

/**
 * The newest usable link of every member who has one (the rule of `isLinkUsable`; that the member is invited is
 * checked against the member's own line), in the members' order and with the member id written as its cell.
 * COPY takes no parameters, so the time is quoted as a literal.
 */
function linksCopy(client: PoolClient, filter: MemberFilter, now: Date): string {
  const conditions = filterConditions(client, filter);
  const listed = conditions.length ? `AND EXISTS (SELECT 1 FROM members m WHERE m.id = c.member_id AND ${conditions.join(' AND ')})` : '';
  return `COPY (
    SELECT DISTINCT ON (c.member_id) ${cell('c.member_id')}, c.id, ${iso('c.expires_at')}
    FROM claim_links c
    WHERE c.revoked_at IS NULL AND c.used_at IS NULL AND c.expires_at > ${client.escapeLiteral(now.toISOString())}::timestamptz ${listed}
    ORDER BY c.member_id, c.created_at DESC
  ) TO STDOUT (FORMAT csv)`;
}

/**
 * The export's lines after the header, written by PostgreSQL: one COPY of the members and, beside it on a second
 * connection that shares its snapshot, one COPY of their links, merged here in id order with the claim URLs added.
 * Both are streamed with backpressure, so memory stays flat. Only invited members have a link to show.
 */
export async function* membersCopyLines(db: Database, baseUrl: string, key: Buffer, filter: MemberFilter, now: Date): AsyncGenerator<Buffer> {
  const pool = (db.source.driver as unknown as { master: Pool }).master;
  const withLinks = filter.status === 'all' || filter.status === 'invited';
  const clients: PoolClient[] = [];
  let finished = false;
  try {
    const members = await pool.connect();
    clients.push(members);
    await members.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    let links: LinkQueue | undefined;
    if (withLinks) {
      const { rows } = await members.query<{ snapshot: string }>('SELECT pg_export_snapshot() AS snapshot');
      const second = await pool.connect();
      clients.push(second);
      await second.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await second.query(`SET TRANSACTION SNAPSHOT ${second.escapeLiteral(rows[0]!.snapshot)}`);
      links = new LinkQueue(second.query(copyTo(linksCopy(second, filter, now))));
    }
    yield* exportLines(members.query(copyTo(membersCopy(members, filter))), links, baseUrl, key);
    for (const client of clients) await client.query('COMMIT');
    finished = true;
  } finally {
    // A COPY left unread mid-stream leaves its connection unusable: the pool closes it instead of reusing it.
    for (const client of clients) client.release(finished ? undefined : new Error('export stopped before the end'));
  }
}
