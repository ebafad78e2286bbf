import type { ApplyOutcome } from './apply.js';
import type { InviteWhen } from './invite-rules.js';
import type { ImportPlan, PlannedRow, RejectedRow } from './plan.js';

export interface ImportReport {
  dryRun: boolean;
  invite: InviteWhen;
  /** Rows read, blank rows not counted. */
  rows: number;
  valid: number;
  incomplete: number;
  invalid: number;
  /** What the valid rows did (or, in a dry run, would do). */
  created: number;
  updated: number;
  unchanged: number;
  invitedByLink: number;
  invitedByCode: number;
  /** Every row that is not valid, in file order. */
  rejected: RejectedRow[];
  /** The valid rows, in file order, when asked for (the admin preview lists them). */
  validRows?: ValidRow[];
}

export interface ValidRow {
  line: number;
  action: PlannedRow['action'];
  email: string | null;
  employeeId: string | null;
  name: string | null;
}

/** Who each valid row names, for a preview. */
export function validRowsOf(plan: ImportPlan): ValidRow[] {
  return plan.planned.map(({ line, action, values, member }) => ({
    line,
    action,
    email: values.email ?? member?.email ?? null,
    employeeId: values.employeeId ?? member?.employeeId ?? null,
    name: values.name ?? ([values.firstName, values.lastName].filter(Boolean).join(' ') || member?.name || null),
  }));
}

/** In a dry run, the invitations the import would send. */
export function plannedInvitations(plan: ImportPlan, invite: InviteWhen): ApplyOutcome {
  if (invite === 'later') return { invitedByLink: 0, invitedByCode: 0, notInvited: [] };
  const byLink = plan.planned.filter((row) => row.values.email ?? row.member?.email).length;
  return { invitedByLink: byLink, invitedByCode: plan.planned.length - byLink, notInvited: [] };
}

export function buildReport(plan: ImportPlan, outcome: ApplyOutcome, options: { dryRun: boolean; invite: InviteWhen }): ImportReport {
  const rejected = [...plan.rejected, ...outcome.notInvited].sort((a, b) => a.line - b.line);
  const count = (action: PlannedRow['action']) => plan.planned.filter((row) => row.action === action).length;
  return {
    dryRun: options.dryRun,
    invite: options.invite,
    rows: plan.planned.length + plan.rejected.length,
    valid: plan.planned.length - outcome.notInvited.length,
    incomplete: rejected.filter((row) => row.class === 'incomplete').length,
    invalid: rejected.filter((row) => row.class === 'invalid').length,
    created: count('create'),
    updated: count('update'),
    unchanged: count('unchanged'),
    invitedByLink: outcome.invitedByLink,
    invitedByCode: outcome.invitedByCode,
    rejected,
  };
}
