import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Config } from '../config/schema.js';
import type { Database } from '../db/database.js';
import { markDuplicates } from './duplicates.js';
import { findExistingMembers, type ExistingMember } from './existing-members.js';
import { invitationProblems, memberLoginMethod, type InviteWhen } from './invite-rules.js';
import { matchMember, type MatchedRow } from './match-member.js';
import type { ImportRow } from './read-rows.js';
import { checkRow, rowClass, type MemberValues, type RowProblem } from './row-rules.js';

export type PlannedAction = 'create' | 'update' | 'unchanged';

export interface PlannedRow {
  line: number;
  action: PlannedAction;
  /** The member as it is now; null for a member the import creates. */
  member: ExistingMember | null;
  /** For a new member every value it gets; for an existing one only what changes. */
  values: MemberValues;
  /** The groups assigned by import, replacing those earlier imports assigned; absent: left as they are. */
  groups?: string[];
}

export interface RejectedRow {
  line: number;
  class: 'incomplete' | 'invalid';
  reason: string;
  /** The reason's parts, each with its catalogue key where it has one, for the admin pages. */
  reasonParts?: RowProblem[];
}

export interface ImportPlan {
  planned: PlannedRow[];
  rejected: RejectedRow[];
}

export interface PlanOptions {
  invite: InviteWhen;
  batchSize: number;
  onBatch?: (rowsDone: number) => void;
  /** Why a row naming these identities may not be applied by this caller, or null (see admin-targets). */
  refuseMember?: (identities: Array<Partial<Pick<ExistingMember, 'emailNormalized' | 'employeeId'>>>) => string | null;
}

/** A row naming an administrator account the importer may not manage: skipped, like any invalid row. */
export const ADMIN_ACCOUNT_PROBLEM: RowProblem = {
  kind: 'invalid', key: 'admin.import.rows.adminAccount',
  message: 'names an administrator account, which only a signed-in administrator with at least its permissions may change',
};

// An existing member's email and employee ID are filled in when missing, never replaced.
const IDENTIFIERS = new Set<keyof MemberValues>(['email', 'emailNormalized', 'employeeId']);

function changesTo(member: ExistingMember, values: MemberValues): MemberValues {
  const changes: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(values) as Array<[keyof MemberValues, unknown]>) {
    if (IDENTIFIERS.has(field) && member[field] !== null) continue;
    if (member[field] !== value) changes[field] = value;
  }
  return changes as MemberValues;
}

function planRow(row: MatchedRow, config: Config): PlannedRow {
  const { line, member } = row;
  const groups = row.groups ? { groups: row.groups } : {};
  if (!member) return { line, member, action: 'create', values: { ...row.values, loginMethod: memberLoginMethod(row, config) }, ...groups };
  const changes = changesTo(member, row.values);
  return { line, member, action: Object.keys(changes).length ? 'update' : 'unchanged', values: changes, ...groups };
}

/**
 * Sorts every row into valid, incomplete or invalid and works out what each valid row does, reading the database
 * (one query per identifier kind and batch) but writing nothing.
 */
export async function planImport(db: Database, config: Config, rows: ImportRow[], options: PlanOptions): Promise<ImportPlan> {
  const matched: MatchedRow[] = [];
  for (let start = 0; start < rows.length; start += options.batchSize) {
    // An embedded database answers synchronously: without a turn of the event loop per batch, a large file would hold
    // every other request until it is done.
    if (start) await nextTurn();
    const checked = rows.slice(start, start + options.batchSize).map(checkRow);
    const existing = await findExistingMembers(db, checked);
    for (const row of checked) {
      const match = matchMember(row, existing);
      match.problems.push(...invitationProblems(match, config, options.invite));
      if (options.refuseMember?.(match.member ? [row.values, match.member] : [row.values])) match.problems.push(ADMIN_ACCOUNT_PROBLEM);
      matched.push(match);
    }
    options.onBatch?.(matched.length);
  }
  markDuplicates(matched);

  const plan: ImportPlan = { planned: [], rejected: [] };
  for (const row of matched) {
    const kind = rowClass(row.problems);
    if (kind === 'valid') plan.planned.push(planRow(row, config));
    else plan.rejected.push({ line: row.line, class: kind, reason: row.problems.map((problem) => problem.message).join('; '), reasonParts: row.problems });
  }
  return plan;
}
