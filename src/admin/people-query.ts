import type { Database } from '../db/database.js';
import { containsPattern } from '../db/like.js';
import type { MemberRow, MemberStatus } from '../db/rows.js';
import { normalizeGroupName } from '../groups/groups.js';
import { memberSearchClause } from '../members/search.js';

export const MEMBER_STATUSES: MemberStatus[] = ['provisioned', 'invited', 'claimed', 'deactivated'];
export const PAGE_SIZE = 50;

export interface PeopleFilter {
  status?: MemberStatus;
  /** Part of a name, email, username or employee ID, without case. */
  search?: string;
  /** An assigned group's name (any source), without case. */
  group?: string;
}

export interface PeoplePage {
  members: MemberRow[];
  /** Cursor of the page after this one, if any. */
  next: string | null;
  /** Cursor of the page before this one, if any. */
  previous: string | null;
}

interface Position {
  createdAt: Date;
  id: string;
}

// Keyset pagination (newest first) instead of OFFSET: page 2,000 of 100,000 members costs what page 1 costs.
export function encodeCursor(position: Position, direction: 'after' | 'before'): string {
  return Buffer.from(`${direction}|${position.createdAt.toISOString()}|${position.id}`).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): { direction: 'after' | 'before'; position: Position } | null {
  if (!cursor || cursor.length > 200) return null;
  const [direction, time, id, extra] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(time ?? '');
  if ((direction !== 'after' && direction !== 'before') || Number.isNaN(createdAt.getTime()) || !id || extra !== undefined) return null;
  return { direction, position: { createdAt, id } };
}

export async function findPeople(db: Database, filter: PeopleFilter, cursor?: string, pageSize = PAGE_SIZE): Promise<PeoplePage> {
  const at = decodeCursor(cursor);
  const backwards = at?.direction === 'before';
  const query = db.source.manager.createQueryBuilder(db.entities.Member, 'm');
  if (filter.status) query.andWhere('m.status = :status', { status: filter.status });
  const search = filter.search?.trim().toLowerCase();
  if (search) {
    query.andWhere(memberSearchClause('m'), { pattern: containsPattern(search) });
  }
  if (filter.group) {
    query.andWhere('EXISTS (SELECT 1 FROM group_assignments ga JOIN groups g ON g.id = ga.group_id WHERE ga.member_id = m.id AND g.name_normalized = :group)',
      { group: normalizeGroupName(filter.group) });
  }
  if (at) {
    const comparison = backwards ? '>' : '<';
    // A row-value comparison, which both engines answer from the (created_at, id) indexes.
    query.andWhere(`(m.created_at, m.id) ${comparison} (:time, :id)`, { time: at.position.createdAt, id: at.position.id });
  }
  const order = backwards ? 'ASC' : 'DESC';
  const rows = await query.orderBy('m.created_at', order).addOrderBy('m.id', order).limit(pageSize + 1).getMany();
  const more = rows.length > pageSize;
  const members = rows.slice(0, pageSize);
  if (backwards) members.reverse();
  const first = members[0];
  const last = members[members.length - 1];
  const hasNext = backwards ? Boolean(at) : more;
  const hasPrevious = backwards ? more : Boolean(at);
  return {
    members,
    next: hasNext && last ? encodeCursor(last, 'after') : null,
    previous: hasPrevious && first ? encodeCursor(first, 'before') : null,
  };
}

/** How many members are in each status, for the filter. */
export async function countByStatus(db: Database): Promise<Record<MemberStatus, number>> {
  const rows: Array<{ status: MemberStatus; count: string | number }> = await db.source.manager
    .createQueryBuilder(db.entities.Member, 'm')
    .select('m.status', 'status')
    .addSelect('COUNT(*)', 'count')
    .groupBy('m.status')
    .getRawMany();
  const counts = Object.fromEntries(MEMBER_STATUSES.map((status) => [status, 0])) as Record<MemberStatus, number>;
  for (const row of rows) if (row.status in counts) counts[row.status] = Number(row.count);
  return counts;
}
