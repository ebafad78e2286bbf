import type { Config } from '../config/schema.js';
import type { MemberRow } from '../db/rows.js';
import { orderedPlan, STEP_ORDER, type StepId } from './machine.js';
import { STEPS } from './steps/index.js';

import type { ClaimFlowRow } from '../db/rows.js';

/** `recover`: a claimed member proved who they are with a recovery code and chooses a new password, nothing else. */
export type FlowPurpose = 'claim' | 'reaccept' | 'recover';

/** How a flow begins: what it is for, and what proved who the member is. */
export interface FlowStart {
  purpose: FlowPurpose;
  method: ClaimFlowRow['method'];
  linkId: string | null;
  accessCodeId: string | null;
}

export type PlannedMember = Pick<MemberRow, 'loginMethod' | 'username'>;

/**
 * Plans a flow once, at its start: a step that is not needed is left out here, never skipped later.
 * Each step says itself when it is needed (SSO members never get the password step; re-acceptance is terms only).
 */
export function planSteps(config: Config, member: PlannedMember, start: Pick<FlowStart, 'purpose' | 'method'>): StepId[] {
  return orderedPlan(STEP_ORDER.filter((id) => STEPS[id].isRequired(config, member, start)));
}
