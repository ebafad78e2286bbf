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

// The event loop is real time by nature: this test measures the loop itself, which no injectable clock can stand in for.
describe('claimgate_event_loop_delay_seconds', () => {
  it('reports p50, p99 and max since the previous scrape: a stall shows in its interval, then the figures start afresh', async () => {
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
      await new Promise((resolve) => setTimeout(resolve, 60));
      const calm = await registry.metrics();
      expect(delay(calm, 'max')).toBeLessThan(0.1);
      // The sampling interval itself is no delay: a calm loop reports a median near zero, not near 10 ms.
      expect(delay(calm, '0.5')).toBeLessThan(0.009);
    } finally {
      loop.stop();
    }
  });
});
