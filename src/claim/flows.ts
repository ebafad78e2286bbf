import { randomUUID } from 'node:crypto';
import { IsNull, type EntityManager } from 'typeorm';
import type { Config } from '../config/schema.js';
import type { Database } from '../db/database.js';
import type { ClaimFlowRow, MemberRow } from '../db/rows.js';
import type { FlowData } from './flow-data.js';
import { planSteps, type FlowStart } from './planner.js';
import { currentState, type FlowState, type StepId } from './states.js';

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
 * Resumes the member's open flow of this purpose if there is one (from any device, once they have proved
 * who they are again), otherwise plans a new one. An expired open flow is closed first.
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

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } };
  const code = e.driverError?.code ?? e.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
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
  if (open && open.expiresAt.getTime() > now.getTime()) {
    // Whatever re-proved the member (a newer link, the access code) is what the flow now completes against.
    const changes = { linkId: start.linkId, accessCodeId: start.accessCodeId, method: start.method, updatedAt: now, expiresAt: new Date(now.getTime() + config.claim.flowTtl) };
    await manager.update(db.entities.ClaimFlow, { id: open.id }, changes);
    return { flow: readFlow({ ...open, ...changes }), resumed: true };
  }
  if (open) await manager.update(db.entities.ClaimFlow, { id: open.id }, { finishedAt: now, state: 'expired', updatedAt: now });
  const plan = planSteps(config, member, start);
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
