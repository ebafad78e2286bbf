/**
 * The claim flow as a state machine. A flow is planned once (the steps config and member need, in this fixed order);
 * its state is always the first planned step not yet completed, or `done`.
 * The only event is "the member submitted step X", accepted only when X is the current state.
 * The diagram beside this file (states.mmd) shows the same table; a test keeps the two in sync.
 */
export const STEP_ORDER = ['username', 'terms', 'profile', 'password', 'groups'] as const;
export type StepId = (typeof STEP_ORDER)[number];
export type FlowState = StepId | 'done';

/** Every state a flow can move to from each state. `start` is where a flow is created. */
export const TRANSITIONS: Record<'start' | FlowState, readonly FlowState[]> = {
  start: ['username', 'terms', 'profile', 'password', 'groups', 'done'],
  username: ['terms', 'profile', 'password', 'groups', 'done'],
  terms: ['profile', 'password', 'groups', 'done'],
  profile: ['password', 'groups', 'done'],
  password: ['groups', 'done'],
  groups: ['done'],
  // The one way back: the chosen username was taken by someone else before the claim completed.
  done: ['username'],
};

export class IllegalTransition extends Error {
  constructor(
    readonly from: FlowState,
    readonly submitted: string,
  ) {
    super(`step "${submitted}" cannot be submitted while the flow is at "${from}"`);
    this.name = 'IllegalTransition';
  }
}

export function isStepId(value: string): value is StepId {
  return (STEP_ORDER as readonly string[]).includes(value);
}

/** Keeps the fixed order whatever order the planner produced, and drops duplicates. */
export function orderedPlan(steps: Iterable<StepId>): StepId[] {
  const wanted = new Set(steps);
  return STEP_ORDER.filter((step) => wanted.has(step));
}

export function currentState(plan: readonly StepId[], completed: readonly StepId[]): FlowState {
  return plan.find((step) => !completed.includes(step)) ?? 'done';
}

/** Applies "the username was taken at completion": the username step is open again, everything else stays done. */
export function reopenUsername(plan: readonly StepId[], completed: readonly StepId[]): { completed: StepId[]; state: FlowState } {
  const from = currentState(plan, completed);
  if (from !== 'done' || !plan.includes('username') || !TRANSITIONS.done.includes('username')) throw new IllegalTransition(from, 'reopen:username');
  return { completed: completed.filter((step) => step !== 'username'), state: 'username' };
}

/** Applies "step submitted": returns the new completed list and state, or throws IllegalTransition. */
export function submitStep(plan: readonly StepId[], completed: readonly StepId[], submitted: string): { completed: StepId[]; state: FlowState } {
  const from = currentState(plan, completed);
  if (from === 'done' || submitted !== from) throw new IllegalTransition(from, submitted);
  const next = [...completed, from];
  const state = currentState(plan, next);
  if (!TRANSITIONS[from].includes(state)) throw new IllegalTransition(from, submitted);
  return { completed: next, state };
}
