import type { Database } from '../db/database.js';
import type { MemberRow } from '../db/rows.js';
import { selectRows } from '../db/select-rows.js';
import type { CheckedRow, MemberValues } from './row-rules.js';

/** What the import needs to know of a member that exists: who it is, its state, and the fields a row may set. */
export type ExistingMember = Pick<MemberRow, 'id' | 'status' | keyof MemberValues>;

const SELECTED = {
  id: true, status: true, email: true, emailNormalized: true, employeeId: true, name: true, firstName: true, lastName: true, title: true,
  department: true, location: true, locale: true, managerEmail: true, loginMethod: true, startDate: true,
} as const satisfies Record<keyof ExistingMember, true>;
const PROPERTIES = Object.keys(SELECTED) as Array<keyof ExistingMember>;

export interface ExistingMembers {
  byEmail: Map<string, ExistingMember>;
  byEmployeeId: Map<string, ExistingMember>;
}

/** The members that a batch of rows names, by email or employee ID, in one query. */
export async function findExistingMembers(db: Database, rows: CheckedRow[]): Promise<ExistingMembers> {
  const found: ExistingMembers = { byEmail: new Map(), byEmployeeId: new Map() };
  const emails = [...new Set(rows.flatMap((row) => (row.values.emailNormalized ? [row.values.emailNormalized] : [])))];
  const employeeIds = [...new Set(rows.flatMap((row) => (row.values.employeeId ? [row.values.employeeId] : [])))];
  const conditions = [
    ...(emails.length ? [db.dialect.anyOf('email_normalized', 'emails')] : []),
    ...(employeeIds.length ? [db.dialect.anyOf('employee_id', 'employeeIds')] : []),
  ];
  if (!conditions.length) return found;
  const members = await selectRows(db, db.entities.Member, PROPERTIES, conditions.join(' OR '), { emails, employeeIds });
  for (const member of members) {
    if (member.emailNormalized) found.byEmail.set(member.emailNormalized, member);
    if (member.employeeId) found.byEmployeeId.set(member.employeeId, member);
  }
  return found;
}
