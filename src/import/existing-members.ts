import { In } from 'typeorm';
import type { Database } from '../db/database.js';
import type { MemberRow } from '../db/rows.js';
import type { CheckedRow, MemberValues } from './row-rules.js';

/** What the import needs to know of a member that exists: who it is, its state, and the fields a row may set. */
export type ExistingMember = Pick<MemberRow, 'id' | 'status' | keyof MemberValues>;

const SELECTED = {
  id: true, status: true, email: true, emailNormalized: true, employeeId: true, name: true, firstName: true, lastName: true, title: true,
  department: true, location: true, locale: true, managerEmail: true, loginMethod: true, startDate: true,
} as const satisfies Record<keyof ExistingMember, true>;

export interface ExistingMembers {
  byEmail: Map<string, ExistingMember>;
  byEmployeeId: Map<string, ExistingMember>;
}

/**
 * The members that a batch of rows names: one query for the emails, one for the employee IDs that those members
 * do not already carry (a row with both usually names the same member twice). On PostgreSQL one query takes both
 * lists as two array parameters: the query builder's bookkeeping for hundreds of `IN` parameters cost more than the
 * lookups themselves.
 */
export async function findExistingMembers(db: Database, rows: CheckedRow[]): Promise<ExistingMembers> {
  const { manager } = db.source;
  const found: ExistingMembers = { byEmail: new Map(), byEmployeeId: new Map() };
  const remember = (member: ExistingMember) => {
    if (member.emailNormalized) found.byEmail.set(member.emailNormalized, member);
    if (member.employeeId) found.byEmployeeId.set(member.employeeId, member);
  };

  const emails = new Set(rows.flatMap((row) => (row.values.emailNormalized ? [row.values.emailNormalized] : [])));
  if (db.engine === 'postgres') {
    const employeeIds = new Set(rows.flatMap((row) => (row.values.employeeId ? [row.values.employeeId] : [])));
    if (emails.size || employeeIds.size) (await selectByIdentifiers(db, [...emails], [...employeeIds])).forEach(remember);
    return found;
  }
  if (emails.size) {
    const members = await manager.find(db.entities.Member, { select: SELECTED, where: { emailNormalized: In([...emails]) } });
    members.forEach(remember);
  }
  const employeeIds = new Set(rows.flatMap((row) => (row.values.employeeId && !found.byEmployeeId.has(row.values.employeeId) ? [row.values.employeeId] : [])));
  if (employeeIds.size) {
    const members = await manager.find(db.entities.Member, { select: SELECTED, where: { employeeId: In([...employeeIds]) } });
    members.forEach(remember);
  }
  return found;
}

/** The selected fields of every member with one of the emails or one of the employee IDs, read as TypeORM would. */
async function selectByIdentifiers(db: Database, emails: string[], employeeIds: string[]): Promise<ExistingMember[]> {
  const { driver } = db.source;
  const metadata = db.source.getMetadata(db.entities.Member);
  const columns = metadata.columns.filter((column) => column.propertyName in SELECTED);
  const list = columns.map((column) => driver.escape(column.databaseName)).join(', ');
  const raw: Array<Record<string, unknown>> = await db.source.query(
    `SELECT ${list} FROM ${driver.escape(metadata.tableName)} WHERE email_normalized = ANY($1::varchar[]) OR employee_id = ANY($2::varchar[])`,
    [emails, employeeIds],
  );
  return raw.map((row) => {
    const member: Record<string, unknown> = {};
    for (const column of columns) member[column.propertyName] = driver.prepareHydratedValue(row[column.databaseName], column);
    return member as ExistingMember;
  });
}
