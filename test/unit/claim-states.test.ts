import { readFileSync } from 'node:fs';
import { currentState, IllegalTransition, reopenUsername, STEP_ORDER, submitStep, TRANSITIONS, type StepId } from '../../src/claim/states.js';

const ALL: StepId[] = [...STEP_ORDER];

describe('claim flow state machine', () => {
  it('walks every planned step in order and ends in done', () => {
    let completed: StepId[] = [];
    const seen: string[] = [];
    for (const step of ALL) {
      expect(currentState(ALL, completed)).toBe(step);
      ({ completed } = submitStep(ALL, completed, step));
      seen.push(currentState(ALL, completed));
    }
    expect(seen).toEqual(['terms', 'profile', 'password', 'groups', 'done']);
  });

  it('takes every legal transition of the table when steps are planned out', () => {
    for (const [from, targets] of Object.entries(TRANSITIONS)) {
      for (const to of targets) {
        if (from === 'done') {
          expect(reopenUsername(['username', 'password'], ['username', 'password']).state).toBe(to);
          continue;
        }
        const plan = [from, to].filter((s): s is StepId => (STEP_ORDER as readonly string[]).includes(s));
        if (from === 'start') {
          expect(currentState(plan, [])).toBe(to);
          continue;
        }
        const result = submitStep(plan, [], from);
        expect(result.state).toBe(to);
      }
    }
  });

  // Attack: a crafted POST that jumps ahead (e.g. straight to groups, skipping terms and password).
  it.each(ALL.slice(1))('refuses submitting %s before the first step', (step) => {
    expect(() => submitStep(ALL, [], step)).toThrow(IllegalTransition);
  });

  // Attack: replaying an already completed step to overwrite what it stored.
  it.each(ALL.slice(0, -1))('refuses replaying %s once it is completed', (step) => {
    const completed = ALL.slice(0, ALL.indexOf(step) + 1);
    expect(() => submitStep(ALL, completed, step)).toThrow(IllegalTransition);
  });

  // Attack: submitting a step the flow never planned (the password step of an SSO member).
  it('refuses a step that is not in the plan', () => {
    expect(() => submitStep(['terms', 'groups'], ['terms'], 'password')).toThrow(IllegalTransition);
  });

  it('reopens only the username step, only from done, and only when the plan has it', () => {
    const plan: StepId[] = ['username', 'terms', 'password'];
    expect(reopenUsername(plan, plan)).toEqual({ completed: ['terms', 'password'], state: 'username' });
    expect(() => reopenUsername(plan, ['username'])).toThrow(IllegalTransition);
    expect(() => reopenUsername(['terms', 'password'], ['terms', 'password'])).toThrow(IllegalTransition);
  });

  it('refuses any submission once the flow is done, and unknown step names', () => {
    expect(() => submitStep(ALL, ALL, 'groups')).toThrow(IllegalTransition);
    expect(() => submitStep(ALL, [], 'admin')).toThrow(IllegalTransition);
    expect(() => submitStep([], [], 'terms')).toThrow(IllegalTransition);
  });

  it('keeps the diagram beside the code in sync with the transition table', () => {
    const diagram = readFileSync('src/claim/states.mmd', 'utf8');
    const edges = new Set([...diagram.matchAll(/^\s*(\w+)\s*-->\s*(\w+)\s*(?::.*)?$/gm)].map((m) => `${m[1]}->${m[2]}`));
    const table = new Set(Object.entries(TRANSITIONS).flatMap(([from, targets]) => targets.map((to) => `${from}->${to}`)));
    expect(edges).toEqual(table);
  });
});
