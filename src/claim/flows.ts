import { randomUUID } from 'node:crypto';
import { IsNull, MoreThan, type EntityManager } from 'typeorm';
import type { Config } from '../config/schema.js';
import type { Database } from '../db/database.js';
import type { ClaimFlowRow, MemberRow } from '../db/rows.js';
import type { FlowData } from './flow-data.js';
import { planSteps, type FlowPurpose } from './planner.js';
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
 * Resumes the member's unfinished flow of this purpose if there is one (from any device, once they have proved
 * who they are again), otherwise plans a new one.
 */
export async function startOrResumeFlow(
  db: Database,
  config: Config,
  member: MemberRow,
  start: { purpose: FlowPurpose; method: ClaimFlowRow['method']; linkId: string | null },
  now: Date,
): Promise<{ flow: Flow; resumed: boolean }> {
  return db.transaction(async (manager) => {
    const open = await manager.findOne(db.entities.ClaimFlow, {
      where: { memberId: member.id, purpose: start.purpose, finishedAt: IsNull(), expiresAt: MoreThan(now) },
      order: { createdAt: 'DESC' },
    });
    if (open) {
      // A newer link re-proves the same member: the flow carries on and completes against that link.
      if (open.linkId !== start.linkId) {
        await manager.update(db.entities.ClaimFlow, { id: open.id }, { linkId: start.linkId, method: start.method, updatedAt: now, expiresAt: new Date(now.getTime() + config.claim.flowTtl) });
        Object.assign(open, { linkId: start.linkId, method: start.method });
      }
      return { flow: readFlow(open), resumed: true };
    }
    const plan = planSteps(config, member, start.purpose);
    const row: ClaimFlowRow = {
      id: randomUUID(), memberId: member.id, linkId: start.linkId, method: start.method, purpose: start.purpose,
      plan: JSON.stringify(plan), completed: '[]', data: '{}', state: currentState(plan, []), version: 1,
      createdAt: now, updatedAt: now, expiresAt: new Date(now.getTime() + config.claim.flowTtl), finishedAt: null,
    };
    await manager.insert(db.entities.ClaimFlow, row);
    return { flow: readFlow(row), resumed: false };
  });
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
