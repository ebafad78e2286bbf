import type { IntervalHistogram } from 'node:perf_hooks';
import { Registry } from 'prom-client';
import { eventLoopDelay } from '../../src/metrics/event-loop.js';

function delay(text: string, quantile: string): number {
  const line = text.split('\n').find((each) => each.startsWith(`claimgate_event_loop_delay_seconds{quantile="${quantile}"} `));
  return Number(line?.split(' ')[1]);
}

/** Blocks the event loop for `ms`, as synchronous crypto or a blocking call would, once the loop is running. */
function stall(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(() => {
    const until = performance.now() + ms;
    while (performance.now() < until) { /* the stall the metric is there to reveal */ }
    resolve();
  }, 20));
}

/** A histogram whose samples the test chooses, in nanoseconds as perf_hooks reports them. */
function recorded(samples: { p50: number; p99: number; max: number; count: number }) {
  let current = { ...samples };
  const histogram = {
    get count() { return current.count; },
    get max() { return current.max; },
    percentile: (p: number) => (p === 50 ? current.p50 : current.p99),
    reset: () => { current = { p50: 0, p99: 0, max: 0, count: 0 }; },
    enable: () => true,
    disable: () => true,
  };
  return histogram as unknown as IntervalHistogram;
}

describe('claimgate_event_loop_delay_seconds', () => {
  // The event loop is real time by nature: this measures the loop itself, which no injectable clock can stand in for.
  // Only a lower bound is asserted, so a busy machine (which can only add delay) cannot make it fail.
  it('shows a real stall of the loop in the interval it happened in', async () => {
    const registry = new Registry();
    const loop = eventLoopDelay(registry);
    try {
      await registry.metrics();
      await stall(150);
      await new Promise((resolve) => setTimeout(resolve, 30));
      const stalled = await registry.metrics();
      expect(delay(stalled, 'max')).toBeGreaterThanOrEqual(0.12);
      expect(delay(stalled, '0.5')).toBeLessThanOrEqual(delay(stalled, '0.99'));
      expect(delay(stalled, '0.99')).toBeLessThanOrEqual(delay(stalled, 'max'));
    } finally {
      loop.stop();
    }
  });

  it('reports what exceeds the sampling interval, in seconds, then starts afresh at every scrape', async () => {
    const registry = new Registry();
    eventLoopDelay(registry, recorded({ p50: 12e6, p99: 20e6, max: 160e6, count: 40 }));
    const first = await registry.metrics();
    // The histogram counts the 10 ms between two samples in every value: that much is no delay.
    expect([delay(first, '0.5'), delay(first, '0.99'), delay(first, 'max')]).toEqual([0.002, 0.01, 0.15]);
    const next = await registry.metrics();
    expect([delay(next, '0.5'), delay(next, '0.99'), delay(next, 'max')]).toEqual([0, 0, 0]);
  });
});
