import { randomUUID } from 'node:crypto';
import { IsNull, type EntityManager } from 'typeorm';
import type { Config } from '../config/schema.js';
import type { Database } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import type { ClaimFlowRow, MemberRow } from '../db/rows.js';
import type { FlowData } from './flow-data.js';
import { isOpen, NEW_FLOW, reduce, type FlowEvent, type FlowState, type StepId } from './machine.js';
import { planSteps, type FlowStart } from './planner.js';

/**
 * The claim flow aggregate: the one module that writes `claim_flows`. Every change is an event of the machine
 * (machine.ts) applied to the row read, saved only if nobody changed the row since (optimistic lock on `version`).
 */
export interface Flow {
  row: ClaimFlowRow;
  plan: StepId[];
  completed: StepId[];
  data: FlowData;
  state: FlowState;
}

export function readFlow(row: ClaimFlowRow): Flow {
  return {
    row,
    plan: JSON.parse(row.plan) as StepId[],
    completed: JSON.parse(row.completed) as StepId[],
    data: JSON.parse(row.data) as FlowData,
    state: row.state,
  };
}

export async function loadFlow(db: Database, id: string): Promise<Flow | undefined> {
  const row = await db.source.manager.findOneBy(db.entities.ClaimFlow, { id });
  return row ? readFlow(row) : undefined;
}

/** Past its time but not yet marked: the next request that reads it records `expire`. */
export function isPastExpiry(flow: Flow, now: Date): boolean {
  return flow.row.expiresAt.getTime() <= now.getTime();
}

/**
 * Applies `event` to `flow` inside the caller's transaction. Returns the flow as saved, or undefined when another
 * request changed it first. An illegal event throws IllegalTransition and writes nothing. A flow that ends keeps none
 * of what its steps collected (a password hash among it).
 */
export async function applyEvent(db: Database, manager: EntityManager, flow: Flow, event: FlowEvent, now: Date, data: FlowData = flow.data): Promise<Flow | undefined> {
  const next = reduce(flow, event);
  const ended = !isOpen(next.state);
  const changes: Partial<ClaimFlowRow> = {
    state: next.state,
    completed: JSON.stringify(next.completed),
    data: ended ? '{}' : JSON.stringify(data),
    version: flow.row.version + 1,
    updatedAt: now,
    ...(ended ? { finishedAt: now } : {}),
  };
  const result = await manager.update(db.entities.ClaimFlow, { id: flow.row.id, version: flow.row.version }, changes);
  if (result.affected !== 1) return undefined;
  return readFlow({ ...flow.row, ...changes });
}

/** Applies `event` in a transaction of its own; false when another request changed the flow first. */
export async function applyEventNow(db: Database, flow: Flow, event: FlowEvent, now: Date, data?: FlowData): Promise<boolean> {
  return Boolean(await db.transaction((manager) => applyEvent(db, manager, flow, event, now, data)));
}

/**
 * Ends a flow that is still open with `event`, reading it again if a concurrent step save changed it meanwhile. Never
 * gives up silently: a flow that keeps changing fails the caller's transaction, so a revocation is never written
 * while the flow it should end stays open.
 */
async function endIfOpen(db: Database, manager: EntityManager, id: string, event: FlowEvent, now: Date): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const row = await manager.findOneBy(db.entities.ClaimFlow, { id });
    if (!row || row.finishedAt) return;
    if (await applyEvent(db, manager, readFlow(row), event, now)) return;
  }
  throw new Error(`claim flow ${id} kept changing while it was being ended (${event.type})`);
}

/** Ends every open claim flow of a member: the link or code that opened it was revoked or replaced. */
export async function supersedeOpenClaims(db: Database, manager: EntityManager, memberId: string, now: Date): Promise<void> {
  const open = await manager.findBy(db.entities.ClaimFlow, { memberId, purpose: 'claim', finishedAt: IsNull() });
  for (const row of open) await endIfOpen(db, manager, row.id, { type: 'supersede' }, now);
}

/** Ends every open recovery of a member: the recovery code that opened it was replaced, used or revoked. */
export async function supersedeOpenRecoveries(db: Database, manager: EntityManager, memberId: string, now: Date): Promise<void> {
  const open = await manager.findBy(db.entities.ClaimFlow, { memberId, purpose: 'recover', finishedAt: IsNull() });
  for (const row of open) await endIfOpen(db, manager, row.id, { type: 'supersede' }, now);
}

/** Records that a flow outlived its time, the first time a request finds it so. */
export async function expireFlow(db: Database, flow: Flow, now: Date): Promise<void> {
  await db.transaction((manager) => endIfOpen(db, manager, flow.row.id, { type: 'expire' }, now));
}

export interface BeginOptions {
  /** Data a new flow starts with (what an identity provider said about the member); a resumed flow keeps its own. */
  initialData?: FlowData;
}

/**
 * Resumes the member's open flow of this purpose when the same credential opens it again (from any device),
 * otherwise ends it and starts a new one. A unique index allows one open flow per member and purpose; the loser of
 * a race to create it resumes the winner's.
 */
export async function beginFlow(
  db: Database,
  config: Config,
  member: MemberRow,
  start: FlowStart,
  now: Date,
  options: BeginOptions = {},
): Promise<{ flow: Flow; resumed: boolean }> {
  const attempt = () => db.transaction((manager) => beginIn(db, manager, config, member, start, now, options));
  try {
    return await attempt();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return attempt();
  }
}

function sameStart(row: ClaimFlowRow, start: FlowStart): boolean {
  return row.linkId === start.linkId && row.accessCodeId === start.accessCodeId && row.method === start.method;
}

async function beginIn(
  db: Database,
  manager: EntityManager,
  config: Config,
  member: MemberRow,
  start: FlowStart,
  now: Date,
  options: BeginOptions,
): Promise<{ flow: Flow; resumed: boolean }> {
  const openRow = await manager.findOneBy(db.entities.ClaimFlow, { memberId: member.id, purpose: start.purpose, finishedAt: IsNull() });
  const planned = reduce(NEW_FLOW, { type: 'start', plan: planSteps(config, member, start) });
  if (openRow) {
    const open = readFlow(openRow);
    // Only the credential that opened a flow resumes it, and only while the plan still fits the member:
    // a flow opened by an older link must never be revived by a newer one.
    if (sameStart(openRow, start) && !isPastExpiry(open, now) && openRow.plan === JSON.stringify(planned.plan)) {
      const changes = { updatedAt: now, expiresAt: new Date(now.getTime() + config.claim.flowTtl) };
      await manager.update(db.entities.ClaimFlow, { id: openRow.id }, changes);
      return { flow: readFlow({ ...openRow, ...changes }), resumed: true };
    }
    await endIfOpen(db, manager, open.row.id, isPastExpiry(open, now) ? { type: 'expire' } : { type: 'supersede' }, now);
  }
  const row: ClaimFlowRow = {
    id: randomUUID(), memberId: member.id, linkId: start.linkId, accessCodeId: start.accessCodeId, method: start.method, purpose: start.purpose,
    plan: JSON.stringify(planned.plan), completed: '[]', data: JSON.stringify(options.initialData ?? {}), state: planned.state, version: 1,
    createdAt: now, updatedAt: now, expiresAt: new Date(now.getTime() + config.claim.flowTtl), finishedAt: null,
  };
  await manager.insert(db.entities.ClaimFlow, row);
  return { flow: readFlow(row), resumed: false };
}
