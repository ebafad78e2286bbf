import { newMemberRow } from '../members/new-member.js';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Request } from 'express';
import { bulkInsert } from '../db/bulk-insert.js';
import { isUniqueViolation } from '../db/errors.js';
import { AppError } from '../http/errors.js';
import { inviteByEmployeeId } from '../members/invite-employee.js';
import { resendInvitation } from '../members/resend.js';
import { inviteByEmail } from '../members/invite.js';
import type { Runtime } from '../runtime.js';
import { setAssignedGroups } from '../groups/assigned.js';
import type { InviteWhen } from './invite-rules.js';
import type { PlannedRow, RejectedRow } from './plan.js';

export interface ApplyOptions {
  invite: InviteWhen;
  actorId: string;
  req?: Request;
  batchSize: number;
  onBatch?: (rowsDone: number) => void;
}

export interface ApplyOutcome {
  invitedByLink: number;
  invitedByCode: number;
  /** Rows saved but whose invitation was refused when it was sent (the member changed meanwhile). */
  notInvited: RejectedRow[];
}

/**
 * Writes one batch in one transaction: new members (one bulk insert) with their audit rows, then the changed ones.
 * The transaction commits only once `before` (the batch before it) has committed, and rolls back if that failed.
 */
async function saveBatch(runtime: Runtime, batch: PlannedRow[], options: ApplyOptions, before: Promise<void>): Promise<void> {
  const { db, audit } = runtime;
  const now = runtime.now();
  const creating = batch.filter((row) => row.action === 'create').map((row) => ({ row, member: newMemberRow(row.values, now) }));
  const created = creating.map(({ member }) => member);
  const updated = batch.filter((row) => row.action === 'update');
  const grouped = [
    ...creating.filter(({ row }) => row.groups).map(({ row, member }) => ({ memberId: member.id, groups: row.groups! })),
    ...batch.filter((row) => row.member && row.groups).map((row) => ({ memberId: row.member!.id, groups: row.groups! })),
  ];
  if (!created.length && !updated.length && !grouped.length) return before;
  await db.transaction(async (manager) => {
    await bulkInsert(db, manager, db.entities.Member, created);
    await audit.many(created.map((member) => ({ event: 'member.provisioned', actorId: options.actorId, memberId: member.id, req: options.req, details: { via: 'import' } })), manager);
    for (const row of updated) await manager.update(db.entities.Member, { id: row.member!.id }, { ...row.values, updatedAt: now });
    for (const { memberId, groups } of grouped) await setAssignedGroups(runtime, manager, memberId, groups, 'import', options.actorId, options.req);
    await before;
  });
}

/** Invites through the same services as `invite`: a claim link mailed to members with email, an access code otherwise. */
async function inviteBatch(runtime: Runtime, batch: PlannedRow[], options: ApplyOptions, outcome: ApplyOutcome): Promise<void> {
  for (const row of batch) {
    const member = { ...row.member, ...row.values };
    const name = member.name ?? undefined;
    try {
      if (member.email && row.member?.status === 'invited') {
        // Already invited: the working link goes out again (it may be in an export; a new one would kill it).
        await resendInvitation(runtime, row.member.id, options.actorId, options.req);
        outcome.invitedByLink++;
      } else if (member.email) {
        await inviteByEmail(runtime, { email: member.email, name, loginMethod: member.loginMethod, actorId: options.actorId, req: options.req });
        outcome.invitedByLink++;
      } else {
        await inviteByEmployeeId(runtime, { employeeId: member.employeeId!, name, actorId: options.actorId, req: options.req });
        outcome.invitedByCode++;
      }
    } catch (error) {
      if (!(error instanceof AppError) || !error.expose) throw error;
      const message = `saved, but not invited: ${error.publicMessage}`;
      const why = error.messageKey ? { key: error.messageKey, params: error.messageParams } : { message: error.publicMessage };
      outcome.notInvited.push({
        line: row.line, class: 'invalid', reason: message,
        reasonParts: [{ kind: 'invalid', message, key: 'admin.import.rows.notInvited', clauses: [why] }],
      });
    }
  }
}

function takenMeanwhile(batch: PlannedRow[]): AppError {
  const first = batch[0]!.line;
  const last = batch[batch.length - 1]!.line;
  return new AppError(
    'validation_failed',
    'import batch hit a unique constraint',
    `While the import ran, someone else gave an email or employee ID of lines ${first} to ${last} to a member. The rows before line ${first} were imported; import the file again to finish.`,
  );
}

/**
 * Applies the valid rows a batch at a time: a failure leaves every earlier batch complete and the failed one (and any
 * later one) untouched. Where transactions run side by side (PostgreSQL), when nobody is invited, the next batch is
 * written on a second connection while the one before it commits, and commits after it: the database's work on two
 * batches overlaps, their order does not.
 */
export async function applyPlan(runtime: Runtime, planned: PlannedRow[], options: ApplyOptions): Promise<ApplyOutcome> {
  const outcome: ApplyOutcome = { invitedByLink: 0, invitedByCode: 0, notInvited: [] };
  const overlap = runtime.db.dialect.concurrentTransactions && options.invite === 'later';
  let previous: { saved: Promise<void>; end: number } | undefined;
  for (let start = 0; start < planned.length; start += options.batchSize) {
    // Other requests get a turn between batches (an embedded database answers synchronously).
    if (start) await nextTurn();
    const batch = planned.slice(start, start + options.batchSize);
    const saved = saveBatch(runtime, batch, options, previous?.saved ?? Promise.resolve()).catch((error: unknown) => {
      throw isUniqueViolation(error) ? takenMeanwhile(batch) : error;
    });
    saved.catch(() => undefined);
    if (overlap) {
      // Nothing is left in flight when this returns: a failure waits for the batch after it to roll back.
      if (previous) await settled(previous.saved, previous.end, options).catch(async (error: unknown) => {
        await saved.catch(() => undefined);
        throw error;
      });
      previous = { saved, end: start + batch.length };
      continue;
    }
    await saved;
    if (options.invite === 'now') await inviteBatch(runtime, batch, options, outcome);
    options.onBatch?.(start + batch.length);
  }
  if (previous) await settled(previous.saved, previous.end, options);
  return outcome;
}

async function settled(saved: Promise<void>, rowsDone: number, options: ApplyOptions): Promise<void> {
  await saved;
  options.onBatch?.(rowsDone);
}
