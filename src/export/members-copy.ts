import { usableLinkSql } from '../claim/usable-link.js';
import type { Database } from '../db/database.js';
import type { SqlText } from '../db/dialect.js';
import { containsPattern } from '../db/like.js';
import { memberSearchClause } from '../members/search.js';
import { exportLines } from './export-lines.js';
import { guardFormulaSql } from './formula-guard.js';
import { LinkQueue } from './link-queue.js';
import type { ExportStatus } from './members-csv.js';

const MEMBER_COLUMNS = [
  'id', 'email', 'employee_id', 'username', 'name', 'first_name', 'last_name', 'title', 'department', 'location', 'phone', 'locale',
  'manager_email', 'start_date', 'login_method', 'status',
];

/**
 * A text cell as `csvCell` writes it, leaving the quoting to the copy (which quotes exactly the cells that hold a
 * comma, a quote or a line break): guarded against formulas, and an empty text written as an empty cell, which the
 * copy does for NULL only.
 */
const cell = (sql: SqlText, column: string) => guardFormulaSql(sql, `nullif(${column}, '')`);

export interface MemberFilter {
  status: ExportStatus;
  /** Lower-case text to search for; empty for everyone. */
  search: string;
  /** `admins` names whose claim links are left out (see withheld-admins). */
  withheld?: string[];
}

/** The filter's conditions on members `m`, as SQL with quoted literals (a copy takes no parameters). */
function filterConditions(sql: SqlText, filter: MemberFilter): string[] {
  const conditions: string[] = [];
  if (filter.status !== 'all') conditions.push(`m.status = ${sql.text(filter.status)}`);
  if (filter.search) conditions.push(memberSearchClause('m', sql.text(containsPattern(filter.search))));
  return conditions;
}

/** The members in id order: 1 for an invited member, then the export's cells up to claimed_at. */
function membersSelect(sql: SqlText, filter: MemberFilter): string {
  const conditions = filterConditions(sql, filter);
  return `SELECT CASE WHEN m.status = 'invited' THEN 1 END, ${MEMBER_COLUMNS.map((column) => cell(sql, `m.${column}`)).join(', ')},
           ${sql.isoTime('m.invited_at')}, ${sql.isoTime('m.claimed_at')}
    FROM members m ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
    ORDER BY m.id`;
}

/**
 * The newest usable link of every member who has one (that the member is invited is checked against the member's
 * own line), in the members' order and with the member id written as its cell.
 */
function linksSelect(sql: SqlText, filter: MemberFilter, now: Date): string {
  const conditions = filterConditions(sql, filter);
  const listed = conditions.length ? `AND EXISTS (SELECT 1 FROM members m WHERE m.id = c.member_id AND ${conditions.join(' AND ')})` : '';
  const names = (filter.withheld ?? []).map((name) => sql.text(name)).join(', ');
  const withheld = names
    ? `AND NOT EXISTS (SELECT 1 FROM members a WHERE a.id = c.member_id AND (a.email_normalized IN (${names}) OR lower(a.employee_id) IN (${names})))`
    : '';
  return sql.firstOfEachGroup(
    { member: cell(sql, 'c.member_id'), id: 'c.id', expires: sql.isoTime('c.expires_at') },
    `claim_links c WHERE ${usableLinkSql('c', sql.time(now))} ${listed} ${withheld}`,
    'c.member_id',
    'c.created_at DESC',
  );
}

/**
 * The export's lines after the header, written by the database: one copy of the members and, from the same
 * snapshot, one of their links, merged here in id order with the claim URLs added. Both are streamed, so memory
 * stays flat. Only invited members have a link to show.
 */
export function membersCopyLines(db: Database, baseUrl: string, key: Buffer, filter: MemberFilter, now: Date): AsyncGenerator<Buffer> {
  const { sql } = db.dialect;
  const withLinks = filter.status === 'all' || filter.status === 'invited';
  const selects = [membersSelect(sql, filter), ...(withLinks ? [linksSelect(sql, filter, now)] : [])];
  return db.dialect.copyOut(selects, ([members, links]) => exportLines(members!, links && new LinkQueue(links), baseUrl, key));
}
