import Sequencer from '@jest/test-sequencer';

// The two-replica load test keeps both cores busy for about a minute: run it last, so it overlaps as little as
// possible with the files that start processes of their own (CLI, server) under their timeouts.
const LAST = ['test/faults/replicas.test.ts'];

export default class HeavyLast extends Sequencer {
  async sort(tests) {
    const sorted = await super.sort(tests);
    const isLast = (test) => LAST.some((path) => test.path.endsWith(path));
    return [...sorted.filter((test) => !isLast(test)), ...sorted.filter(isLast)];
  }
}
