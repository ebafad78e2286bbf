import { And, LessThan, MoreThanOrEqual, type FindOptionsWhere } from 'typeorm';
import type { AuditRow } from '../db/rows.js';
import type { Runtime } from '../runtime.js';

export interface AuditQuery {
  event?: string;
  memberId?: string;
  actor?: string;
  from?: Date;
  to?: Date;
  /** Keyset cursor: rows with a smaller id than this one. */
  cursor?: string;
  limit: number;
}

/**
 * Audit rows newest first (by id, which only grows, so the order is stable while rows are added) with the cursor of
 * the next page: every row is seen exactly once however many arrive meanwhile.
 */
export async function listAudit(runtime: Runtime, query: AuditQuery) {
  const { db } = runtime;
  const where: FindOptionsWhere<AuditRow> = {};
  if (query.event) where.event = query.event;
  if (query.memberId) where.memberId = query.memberId;
  if (query.actor) where.actorId = query.actor;
  if (query.from && query.to) where.time = And(MoreThanOrEqual(query.from), LessThan(query.to));
  else if (query.from) where.time = MoreThanOrEqual(query.from);
  else if (query.to) where.time = LessThan(query.to);
  if (query.cursor) where.id = LessThan(query.cursor);
  const rows = await db.source.manager.find(db.entities.AuditEvent, { where, order: { id: 'DESC' }, take: query.limit + 1 });
  const page = rows.slice(0, query.limit);
  return {
    events: page.map((row) => ({ ...row, id: String(row.id), details: JSON.parse(row.details) as unknown })),
    next: rows.length > query.limit ? String(page.at(-1)!.id) : null,
  };
}
