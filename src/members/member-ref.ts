import { isRowId } from '../db/ids.js';
import type { Database } from '../db/database.js';
import type { MemberRow } from '../db/rows.js';
import { findMemberByEmail, findMemberById } from './lookup.js';
import { normalizeEmployeeId } from './normalize.js';

/** Finds a member by id, email or employee ID, as admins type them. */
export async function findMemberByRef(db: Database, ref: string): Promise<MemberRow | null> {
  const trimmed = ref.trim();
  if (trimmed.includes('@')) return findMemberByEmail(db, trimmed);
  if (isRowId(trimmed)) {
    const byId = await findMemberById(db, trimmed.toLowerCase());
    if (byId) return byId;
  }
  const employeeId = normalizeEmployeeId(trimmed);
  return employeeId ? db.source.manager.findOneBy(db.entities.Member, { employeeId }) : null;
}
