import type { Runtime } from '../../src/runtime.js';
import { backoff, BACKOFF_JITTER } from '../../src/webhooks/deliver.js';

const SECOND = 1000;
const runtime = { config: { webhooks: { firstBackoff: 10 * SECOND, maxBackoff: 3600 * SECOND } } } as unknown as Runtime;

describe('webhook retry backoff', () => {
  it('doubles from the first delay up to the cap when the jitter takes nothing off', () => {
    expect([1, 2, 3, 4].map((failures) => backoff(runtime, failures, () => 0))).toEqual([10, 20, 40, 80].map((s) => s * SECOND));
    expect(backoff(runtime, 40, () => 0)).toBe(3600 * SECOND);
  });

  it('takes off at most a tenth at random, so one outage\'s retries spread out and never outlast the schedule', () => {
    // Attack (self-inflicted): every message of an outage retrying at the same instant and knocking the receiver over again.
    expect(backoff(runtime, 2, () => 0.5)).toBe(19 * SECOND);
    const draws = Array.from({ length: 200 }, () => backoff(runtime, 3));
    for (const delay of draws) {
      expect(delay).toBeLessThanOrEqual(40 * SECOND);
      expect(delay).toBeGreaterThanOrEqual(40 * SECOND * (1 - BACKOFF_JITTER));
    }
    expect(new Set(draws).size).toBeGreaterThan(1);
  });
});
