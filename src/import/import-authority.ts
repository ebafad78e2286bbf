import type { Request } from 'express';
import { adminRefusal, configuredPermissions, managerOf, type Identity } from '../admin/admin-targets.js';
import { actorOf } from '../admin/api-caller.js';
import { callerPermissions } from '../admin/caller-permissions.js';
import { AppError } from '../http/errors.js';
import type { Runtime } from '../runtime.js';
import { IMPORT_COLUMNS } from './columns.js';
import { ADMIN_ACCOUNT_PROBLEM, type ImportPlan } from './plan.js';
import type { ImportRow } from './read-rows.js';

/**
 * Assigned groups decide access to routes, so a file that assigns any needs `groups:assign` as the assign door does:
 * without it the whole file is refused (audited) before anything is read from the database or written.
 */
export async function refuseGroupsWithoutAssign(runtime: Runtime, rows: ImportRow[], req: Request | undefined): Promise<void> {
  const caller = callerPermissions(runtime, req);
  if (!caller || caller.has('groups:assign')) return;
  const lines = rows.filter((row) => row.values.groups).map((row) => row.line);
  if (!lines.length) return;
  const column = IMPORT_COLUMNS.groups;
  await runtime.audit({
    event: 'admin.access_denied', outcome: 'failure', actorId: actorOf(req!), memberId: req!.member?.id ?? null, req,
    details: { reason: 'import assigns groups', permission: 'groups:assign', column, lines: lines.slice(0, 20).join(', ') },
  });
  throw new AppError('forbidden', `import ${column} column without groups:assign`,
    `The ${column} column assigns groups, which needs the groups:assign permission: remove the column or leave it empty.`,
    'admin.import.groupsNeedAssign', { column });
}

/** Which rows the caller may not apply: those naming an administrator account it may not manage (see admin-targets). */
export function adminRowRefusal(runtime: Runtime, req: Request | undefined) {
  const manager = managerOf(runtime, req);
  return (identities: Identity[]) => adminRefusal(manager, configuredPermissions(runtime.config, identities));
}

/** One audit row for the administrator accounts an applied file named and the import skipped. */
export async function auditSkippedAdminRows(runtime: Runtime, plan: ImportPlan, req: Request | undefined): Promise<void> {
  const lines = plan.rejected.filter((row) => row.reasonParts?.some((part) => part.key === ADMIN_ACCOUNT_PROBLEM.key)).map((row) => row.line);
  if (!lines.length || !req) return;
  await runtime.audit({
    event: 'admin.access_denied', outcome: 'failure', actorId: actorOf(req), memberId: req.member?.id ?? null, req,
    details: { reason: 'administrator account', change: 'import', skipped: lines.length, lines: lines.slice(0, 20).join(', ') },
  });
}
