import { randomUUID } from 'node:crypto';
import { IsNull, type EntityManager } from 'typeorm';
import type { Config } from '../config/schema.js';
import type { Database } from '../db/database.js';
import type { ClaimFlowRow, MemberRow } from '../db/rows.js';
import type { FlowData } from './flow-data.js';
import { planSteps, type FlowStart } from './planner.js';
import { currentState, type FlowState, type StepId } from './states.js';
import { isUniqueViolation } from '../db/errors.js';

/** A claim flow row with its JSON columns read. */
export interface Flow {
  row: ClaimFlowRow;
  plan: StepId[];
  completed: StepId[];
  data: FlowData;
  state: FlowState;
}

export function readFlow(row: ClaimFlowRow): Flow {
  const plan = JSON.parse(row.plan) as StepId[];
  const completed = JSON.parse(row.completed) as StepId[];
  return { row, plan, completed, data: JSON.parse(row.data) as FlowData, state: currentState(plan, completed) };
}

export function isFlowLive(flow: Flow, now: Date): boolean {
  return !flow.row.finishedAt && flow.row.expiresAt.getTime() > now.getTime();
}

export async function loadFlow(db: Database, id: string): Promise<Flow | undefined> {
  const row = await db.source.manager.findOneBy(db.entities.ClaimFlow, { id });
  return row ? readFlow(row) : undefined;
}

/**
 * Resumes the member's open flow of this purpose when the same credential opens it again (from any device),
 * otherwise closes it and plans a new one.
 * A unique index allows one open flow per member and purpose; the loser of a race to create it resumes the winner's.
 */
export async function startOrResumeFlow(
  db: Database,
  config: Config,
  member: MemberRow,
  start: FlowStart,
  now: Date,
): Promise<{ flow: Flow; resumed: boolean }> {
  try {
    return await db.transaction((manager) => startOrResumeIn(db, manager, config, member, start, now));
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return db.transaction((manager) => startOrResumeIn(db, manager, config, member, start, now));
  }
}


async function startOrResumeIn(
  db: Database,
  manager: EntityManager,
  config: Config,
  member: MemberRow,
  start: FlowStart,
  now: Date,
): Promise<{ flow: Flow; resumed: boolean }> {
  const open = await manager.findOneBy(db.entities.ClaimFlow, { memberId: member.id, purpose: start.purpose, finishedAt: IsNull() });
  const plan = planSteps(config, member, start);
  // Only the credential that opened a flow resumes it, and only while the plan still fits the member:
  // a flow opened by an older link must never be revived by a newer one.
  const sameCredential = open && open.linkId === start.linkId && open.accessCodeId === start.accessCodeId && open.method === start.method;
  if (open && sameCredential && open.expiresAt.getTime() > now.getTime() && open.plan === JSON.stringify(plan)) {
    const changes = { updatedAt: now, expiresAt: new Date(now.getTime() + config.claim.flowTtl) };
    await manager.update(db.entities.ClaimFlow, { id: open.id }, changes);
    return { flow: readFlow({ ...open, ...changes }), resumed: true };
  }
  if (open) await manager.update(db.entities.ClaimFlow, { id: open.id }, { finishedAt: now, state: 'superseded', updatedAt: now, data: '{}' });
  const row: ClaimFlowRow = {
    id: randomUUID(), memberId: member.id, linkId: start.linkId, accessCodeId: start.accessCodeId, method: start.method, purpose: start.purpose,
    plan: JSON.stringify(plan), completed: '[]', data: '{}', state: currentState(plan, []), version: 1,
    createdAt: now, updatedAt: now, expiresAt: new Date(now.getTime() + config.claim.flowTtl), finishedAt: null,
  };
  await manager.insert(db.entities.ClaimFlow, row);
  return { flow: readFlow(row), resumed: false };
}

/**
 * Saves a step's outcome if nobody else changed the flow since it was read (optimistic lock on `version`).
 * Returns false when another request won the race.
 */
export async function saveFlowProgress(
  db: Database,
  manager: EntityManager,
  flow: Flow,
  next: { completed: StepId[]; state: FlowState; data: FlowData },
  now: Date,
): Promise<boolean> {
  const result = await manager.update(
    db.entities.ClaimFlow,
    { id: flow.row.id, version: flow.row.version },
    { completed: JSON.stringify(next.completed), state: next.state, data: JSON.stringify(next.data), version: flow.row.version + 1, updatedAt: now },
  );
  return result.affected === 1;
}

/** Ends every open claim flow of a member, e.g. when the link or code that opened it is revoked or replaced. */
export async function closeOpenFlows(db: Database, manager: EntityManager, memberId: string, now: Date): Promise<void> {
  await manager.update(db.entities.ClaimFlow, { memberId, purpose: 'claim', finishedAt: IsNull() }, { finishedAt: now, state: 'superseded', updatedAt: now, data: '{}' });
}
