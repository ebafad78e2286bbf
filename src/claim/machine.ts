/**
 * The claim flow's lifecycle: every state a flow can be in, every event that exists, and the one reducer that decides
 * what an event does. A flow is planned once at `start` (the steps that config and member need, in a fixed order);
 * while open, its state is the first planned step not yet completed, or `done` once every step is. It ends
 * `completed` (the member's claim or re-acceptance was written), `superseded` (the link or code that opened it was
 * revoked or replaced) or `expired` (it outlived its time).
 * The diagram beside this file (machine.mmd) shows the same table; a test keeps table, reducer and diagram equal.
 */
export const STEP_ORDER = ['username', 'terms', 'profile', 'password', 'groups'] as const;
export type StepId = (typeof STEP_ORDER)[number];
export type OpenState = StepId | 'done';
export const END_STATES = ['completed', 'superseded', 'expired'] as const;
export type EndState = (typeof END_STATES)[number];
export type FlowState = OpenState | EndState;

export type FlowEvent =
  | { type: 'start'; plan: readonly StepId[] }
  | { type: 'submit'; step: string }
  | { type: 'reopen_username' }
  | { type: 'complete' }
  | { type: 'supersede' }
  | { type: 'expire' };
export type FlowEventType = FlowEvent['type'];

/** Where a flow stands: its plan, the steps it has completed, and its state. `new` is a flow not yet started. */
export interface Progress {
  plan: readonly StepId[];
  completed: readonly StepId[];
  state: FlowState | 'new';
}

/** Progress after an event: never `new` again. */
export interface StartedProgress extends Progress {
  state: FlowState;
}

export const NEW_FLOW: Progress = { plan: [], completed: [], state: 'new' };

/** Every state each event can lead to, from each state. What the reducer does, written out for reading and drawing. */
export const TRANSITIONS: Record<FlowState | 'new', Partial<Record<FlowEventType, readonly FlowState[]>>> = {
  new: { start: ['username', 'terms', 'profile', 'password', 'groups', 'done'] },
  username: { submit: ['terms', 'profile', 'password', 'groups', 'done'], supersede: ['superseded'], expire: ['expired'] },
  terms: { submit: ['profile', 'password', 'groups', 'done'], supersede: ['superseded'], expire: ['expired'] },
  profile: { submit: ['password', 'groups', 'done'], supersede: ['superseded'], expire: ['expired'] },
  password: { submit: ['groups', 'done'], supersede: ['superseded'], expire: ['expired'] },
  groups: { submit: ['done'], supersede: ['superseded'], expire: ['expired'] },
  // reopen_username: the chosen username was taken by someone else before the claim completed.
  done: { complete: ['completed'], reopen_username: ['username'], supersede: ['superseded'], expire: ['expired'] },
  completed: {},
  superseded: {},
  expired: {},
};

export class IllegalTransition extends Error {
  constructor(
    readonly from: FlowState | 'new',
    readonly event: string,
  ) {
    super(`"${event}" is not possible while the flow is at "${from}"`);
    this.name = 'IllegalTransition';
  }
}

export function isStepId(value: string): value is StepId {
  return (STEP_ORDER as readonly string[]).includes(value);
}

export function isOpen(state: FlowState | 'new'): state is OpenState {
  return state === 'done' || isStepId(state);
}

/** Keeps the fixed order whatever order the planner produced, and drops duplicates. */
export function orderedPlan(steps: Iterable<StepId>): StepId[] {
  const wanted = new Set(steps);
  return STEP_ORDER.filter((step) => wanted.has(step));
}

function firstOpen(plan: readonly StepId[], completed: readonly StepId[]): OpenState {
  return plan.find((step) => !completed.includes(step)) ?? 'done';
}

function eventName(event: FlowEvent): string {
  return event.type === 'submit' ? `submit:${event.step.slice(0, 200)}` : event.type;
}

/** Applies one event to a flow's progress, or throws IllegalTransition. The only place a flow's state is decided. */
export function reduce(current: Progress, event: FlowEvent): StartedProgress {
  const { plan, completed, state } = current;
  const refuse = (): never => {
    throw new IllegalTransition(state, eventName(event));
  };
  switch (event.type) {
    case 'start': {
      if (state !== 'new') return refuse();
      const planned = orderedPlan(event.plan);
      return { plan: planned, completed: [], state: firstOpen(planned, []) };
    }
    case 'submit': {
      if (!isStepId(state) || event.step !== state) return refuse();
      const next = [...completed, state];
      return { plan, completed: next, state: firstOpen(plan, next) };
    }
    case 'reopen_username':
      if (state !== 'done' || !plan.includes('username')) return refuse();
      return { plan, completed: completed.filter((step) => step !== 'username'), state: 'username' };
    case 'complete':
      return state === 'done' ? { plan, completed, state: 'completed' } : refuse();
    case 'supersede':
      return isOpen(state) ? { plan, completed, state: 'superseded' } : refuse();
    case 'expire':
      return isOpen(state) ? { plan, completed, state: 'expired' } : refuse();
  }
}
