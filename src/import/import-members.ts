import type { Request } from 'express';
import type { Runtime } from '../runtime.js';
import { applyPlan } from './apply.js';
import { auditAppliedImport, auditFailedImport, describeFile } from './import-audit.js';
import type { InviteWhen } from './invite-rules.js';
import { adminRowRefusal, auditSkippedAdminRows, refuseGroupsWithoutAssign } from './import-authority.js';
import { planImport } from './plan.js';
import { readImportFile } from './read-rows.js';
import { readUpTo, type ImportSource } from './read-source.js';
import { buildReport, plannedInvitations, validRowsOf, type ImportReport } from './report.js';

const BATCH_SIZE = 500;

export interface ImportProgress {
  phase: 'checking' | 'importing';
  done: number;
  total: number;
}

export interface ImportOptions {
  actorId: string;
  /** `later` (the default) leaves new members provisioned; `now` invites every valid row as `invite` does. */
  invite?: InviteWhen;
  /** Sort and report, change nothing. */
  dryRun?: boolean;
  /** The largest file read; callers pass `imports.maxBytes` or the CLI's --max-bytes. */
  maxBytes: number;
  /** List the valid rows in the report too (for a preview). */
  listValidRows?: boolean;
  req?: Request;
  onProgress?: (progress: ImportProgress) => void;
}

/**
 * Imports members from a CSV upload (a Buffer or a stream). A file that is malformed as a whole is refused with an
 * AppError before anything changes; otherwise every row is reported valid, incomplete or invalid, and the valid rows
 * create or update members, matched on email, else employee ID, so importing the same file again changes nothing new.
 * An import that changes something audits itself, the same whichever door called it: one `import.applied` row, a
 * failure if the apply stopped partway. A dry run, or a file whose every row is unchanged or refused, changes nothing
 * and writes nothing.
 */
export async function importMembers(runtime: Runtime, source: ImportSource, options: ImportOptions): Promise<ImportReport> {
  const invite = options.invite ?? 'later';
  const dryRun = options.dryRun ?? false;
  const content = await readUpTo(source, options.maxBytes);
  const rows = readImportFile(content);
  await refuseGroupsWithoutAssign(runtime, rows, options.req);
  const progress = (phase: ImportProgress['phase'], total: number) => (done: number) => options.onProgress?.({ phase, done, total });

  const plan = await planImport(runtime.db, runtime.config, rows, {
    invite, batchSize: BATCH_SIZE, onBatch: progress('checking', rows.length), refuseMember: adminRowRefusal(runtime, options.req),
  });
  const withRows = (report: ImportReport) => (options.listValidRows ? { ...report, validRows: validRowsOf(plan) } : report);
  if (dryRun) return withRows(buildReport(plan, plannedInvitations(plan, invite), { dryRun, invite }));

  await auditSkippedAdminRows(runtime, plan, options.req);
  const file = describeFile(content);
  const actor = { actorId: options.actorId, req: options.req };
  const outcome = await applyPlan(runtime, plan.planned, {
    invite, actorId: options.actorId, req: options.req, batchSize: BATCH_SIZE, onBatch: progress('importing', plan.planned.length),
  }).catch(async (error: unknown) => {
    await auditFailedImport(runtime, file, invite, error, actor);
    throw error;
  });
  const report = buildReport(plan, outcome, { dryRun, invite });
  if (changedAnything(report)) await auditAppliedImport(runtime, file, report, actor);
  return withRows(report);
}

function changedAnything(report: ImportReport): boolean {
  return report.created + report.updated + report.invitedByLink + report.invitedByCode > 0;
}
