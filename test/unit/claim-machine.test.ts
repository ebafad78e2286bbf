import { readFileSync } from 'node:fs';
import {
  END_STATES, IllegalTransition, NEW_FLOW, reduce, STEP_ORDER, TRANSITIONS,
  type FlowEvent, type FlowState, type Progress, type StepId,
} from '../../src/claim/machine.js';

const ALL: StepId[] = [...STEP_ORDER];

/** Every plan the planner can make: each subset of the steps, in the fixed order. */
const PLANS: StepId[][] = Array.from({ length: 2 ** ALL.length }, (_, mask) => ALL.filter((_step, i) => mask & (1 << i)));

const EVENTS = (state: string): FlowEvent[] => [
  ...STEP_ORDER.map((step) => ({ type: 'submit', step }) as const), { type: 'submit', step: 'admin' }, { type: 'submit', step: state },
  { type: 'reopen_username' }, { type: 'complete' }, { type: 'supersede' }, { type: 'expire' },
];

/** Walks every plan from `new` through every event the reducer accepts; returns each edge it took, as from-event-to. */
function exploreReducer(): Set<string> {
  const edges = new Set<string>();
  for (const plan of PLANS) {
    const started = reduce(NEW_FLOW, { type: 'start', plan });
    edges.add(`new-start-${started.state}`);
    const queue: Progress[] = [started];
    const seen = new Set<string>();
    while (queue.length) {
      const current = queue.shift()!;
      const key = `${current.state}|${current.completed.join(',')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      for (const event of [...EVENTS(String(current.state)), { type: 'start', plan } as const]) {
        try {
          const next = reduce(current, event);
          edges.add(`${current.state}-${event.type}-${next.state}`);
          queue.push(next);
        } catch (error) {
          if (!(error instanceof IllegalTransition)) throw error;
        }
      }
    }
  }
  return edges;
}

function tableEdges(): Set<string> {
  return new Set(Object.entries(TRANSITIONS).flatMap(([from, byEvent]) =>
    Object.entries(byEvent).flatMap(([event, targets]) => (targets ?? []).map((to) => `${from}-${event}-${to}`))));
}

function walk(plan: StepId[], ...events: FlowEvent[]): Progress {
  return events.reduce((progress, event) => reduce(progress, event), reduce(NEW_FLOW, { type: 'start', plan }));
}

describe('claim flow machine', () => {
  it('walks every planned step in order, ends in done, then completed', () => {
    let progress = reduce(NEW_FLOW, { type: 'start', plan: ALL });
    const seen: string[] = [progress.state];
    for (const step of ALL) {
      progress = reduce(progress, { type: 'submit', step });
      seen.push(progress.state);
    }
    expect(seen).toEqual(['username', 'terms', 'profile', 'password', 'groups', 'done']);
    expect(reduce(progress, { type: 'complete' }).state).toBe('completed');
  });

  it('keeps the fixed step order whatever order the planner gives, and plans nothing twice', () => {
    expect(reduce(NEW_FLOW, { type: 'start', plan: ['groups', 'terms', 'terms'] }).plan).toEqual(['terms', 'groups']);
  });

  it('the transition table is exactly what the reducer does, over every plan and event', () => {
    expect([...exploreReducer()].sort()).toEqual([...tableEdges()].sort());
  });

  it('the diagram beside the code shows exactly the transition table', () => {
    const diagram = readFileSync('src/claim/machine.mmd', 'utf8');
    const edges = new Set([...diagram.matchAll(/^\s*(\w+)\s*-->\s*(\w+)\s*:\s*(\w+)\s*$/gm)].map((m) => `${m[1]}-${m[3]}-${m[2]}`));
    expect([...edges].sort()).toEqual([...tableEdges()].sort());
    const states = Object.keys(TRANSITIONS);
    for (const state of states) expect(diagram).toMatch(new RegExp(`\\b${state}\\b`));
    for (const end of END_STATES) expect(diagram).toContain(`${end} --> [*]`);
  });

  // Attack: a crafted POST that jumps ahead (e.g. straight to groups, skipping terms and password).
  it.each(ALL.slice(1))('refuses submitting %s before the first step', (step) => {
    expect(() => walk(ALL, { type: 'submit', step })).toThrow(IllegalTransition);
  });

  // Attack: replaying an already completed step to overwrite what it stored.
  it.each(ALL.slice(0, -1))('refuses replaying %s once it is completed', (step) => {
    const done = ALL.slice(0, ALL.indexOf(step) + 1).map((s) => ({ type: 'submit', step: s }) as const);
    expect(() => walk(ALL, ...done, { type: 'submit', step })).toThrow(IllegalTransition);
  });

  // Attack: submitting a step the flow never planned (the password step of an SSO member), or no step at all.
  it('refuses a step that is not in the plan, and names that are no step', () => {
    expect(() => walk(['terms', 'groups'], { type: 'submit', step: 'terms' }, { type: 'submit', step: 'password' })).toThrow(IllegalTransition);
    expect(() => walk(ALL, { type: 'submit', step: 'admin' })).toThrow(IllegalTransition);
    expect(() => walk([], { type: 'submit', step: 'terms' })).toThrow(IllegalTransition);
  });

  // Attack: finishing a claim whose steps are not all done (a POST to the finish page mid-flow).
  it('completes only from done', () => {
    expect(() => walk(ALL, { type: 'complete' })).toThrow(IllegalTransition);
    expect(walk([], { type: 'complete' }).state).toBe('completed');
  });

  it('reopens only the username step, only from done, and only when the plan has it', () => {
    const plan: StepId[] = ['username', 'terms', 'password'];
    const done = walk(plan, ...plan.map((step) => ({ type: 'submit', step }) as const));
    expect(reduce(done, { type: 'reopen_username' })).toEqual({ plan, completed: ['terms', 'password'], state: 'username' });
    expect(() => walk(plan, { type: 'submit', step: 'username' }, { type: 'reopen_username' })).toThrow(IllegalTransition);
    expect(() => walk(['terms'], { type: 'submit', step: 'terms' }, { type: 'reopen_username' })).toThrow(IllegalTransition);
  });

  // Attack: reviving a flow that a revoked link, a replaced code or time has ended.
  it.each(END_STATES)('a %s flow takes no event at all', (end: FlowState) => {
    const ended: Progress = { plan: ALL, completed: ALL, state: end };
    for (const event of [...EVENTS('done'), { type: 'start', plan: ALL } as const]) {
      expect(() => reduce(ended, event)).toThrow(IllegalTransition);
    }
  });

  it('supersede and expire end a flow from any open state', () => {
    for (const step of ALL) {
      const at = walk(ALL, ...ALL.slice(0, ALL.indexOf(step)).map((s) => ({ type: 'submit', step: s }) as const));
      expect(at.state).toBe(step);
      expect(reduce(at, { type: 'supersede' }).state).toBe('superseded');
      expect(reduce(at, { type: 'expire' }).state).toBe('expired');
    }
  });

  it('a flow starts once', () => {
    expect(() => reduce(walk(ALL), { type: 'start', plan: ALL })).toThrow(IllegalTransition);
  });
});
