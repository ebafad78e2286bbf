import { IMPORT_COLUMNS } from './columns.js';
import type { ExistingMember, ExistingMembers } from './existing-members.js';
import type { CheckedRow, RowProblem } from './row-rules.js';
import { shown } from './shown.js';

export interface MatchedRow extends CheckedRow {
  /** The existing member the row updates: found by email, else by employee ID. */
  member: ExistingMember | null;
}

/**
 * Finds the member a row is about. A row whose email and employee ID point at two different members, or at a member
 * who already has another email or employee ID, is refused: an import never moves an identifier between people.
 */
export function matchMember(row: CheckedRow, existing: ExistingMembers): MatchedRow {
  const { emailNormalized, employeeId } = row.values;
  const byEmail = emailNormalized ? existing.byEmail.get(emailNormalized) : undefined;
  const byEmployeeId = employeeId ? existing.byEmployeeId.get(employeeId) : undefined;
  const member = byEmail ?? byEmployeeId ?? null;
  const conflict = (message: string, key: string, params: Record<string, unknown>): MatchedRow => ({
    ...row, member, problems: [...row.problems, { kind: 'invalid', message, key: `admin.import.rows.${key}`, params } satisfies RowProblem],
  });
  const columns = { emailColumn: IMPORT_COLUMNS.email, idColumn: IMPORT_COLUMNS.employeeId };

  if (byEmail && byEmployeeId && byEmail.id !== byEmployeeId.id) {
    return conflict(`${IMPORT_COLUMNS.email} ${shown(row.values.email!)} and ${IMPORT_COLUMNS.employeeId} ${shown(employeeId!)} belong to two different members`,
      'twoMembers', { ...columns, email: shown(row.values.email!), employeeId: shown(employeeId!) });
  }
  if (byEmail?.employeeId && employeeId && byEmail.employeeId !== employeeId) {
    return conflict(`the member with ${IMPORT_COLUMNS.email} ${shown(row.values.email!)} has ${IMPORT_COLUMNS.employeeId} ${shown(byEmail.employeeId)}, not ${shown(employeeId)}`,
      'otherEmployeeId', { ...columns, email: shown(row.values.email!), stored: shown(byEmail.employeeId), given: shown(employeeId) });
  }
  if (!byEmail && byEmployeeId?.emailNormalized && emailNormalized) {
    return conflict(`the member with ${IMPORT_COLUMNS.employeeId} ${shown(employeeId!)} has ${IMPORT_COLUMNS.email} ${shown(byEmployeeId.email!)}, not ${shown(row.values.email!)}`,
      'otherEmail', { ...columns, employeeId: shown(employeeId!), stored: shown(byEmployeeId.email!), given: shown(row.values.email!) });
  }
  return { ...row, member };
}
