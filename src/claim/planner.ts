import type { Config } from '../config/schema.js';
import type { MemberRow } from '../db/rows.js';
import { orderedPlan, STEP_ORDER, type StepId } from './states.js';
import { STEPS } from './steps/index.js';

export type FlowPurpose = 'claim' | 'reaccept';

/**
 * Plans a flow once, at its start: a step that is not needed is left out here, never skipped later.
 * Each step says itself when it is needed (SSO members never get the password step; re-acceptance is terms only).
 */
export function planSteps(config: Config, member: Pick<MemberRow, 'loginMethod'>, purpose: FlowPurpose): StepId[] {
  return orderedPlan(STEP_ORDER.filter((id) => STEPS[id].isRequired(config, member, purpose)));
}
