import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Gauge, type Registry } from 'prom-client';

/** How often the loop is sampled, in ms: fine enough to see a stall of a few milliseconds. */
const RESOLUTION_MS = 10;
const QUANTILES = [['0.5', 50], ['0.99', 99]] as const;

/**
 * `claimgate_event_loop_delay_seconds{quantile}`: how late the event loop ran its timers since the last scrape
 * (p50, p99 and the worst), from perf_hooks.monitorEventLoopDelay. The histogram starts afresh at every scrape, so a
 * stall shows in the interval it happened in. Across workers the worst worker's figure is reported (`max`).
 */
export function eventLoopDelay(registry: Registry, histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS })): { stop(): void } {
  histogram.enable();
  new Gauge({
    name: 'claimgate_event_loop_delay_seconds',
    help: 'Event-loop delay since the previous scrape (perf_hooks.monitorEventLoopDelay): p50, p99 and max.',
    labelNames: ['quantile'],
    aggregator: 'max',
    registers: [registry],
    collect() {
      // The histogram records the time between two samples, the resolution included: the delay is what exceeds it.
      // Before the first sample it reports its extremes; 0 says "no delay seen" honestly.
      const seen = histogram.count > 0;
      const delay = (nanoseconds: number) => (seen ? Math.max(0, nanoseconds / 1e6 - RESOLUTION_MS) / 1e3 : 0);
      for (const [label, percentile] of QUANTILES) this.set({ quantile: label }, delay(histogram.percentile(percentile)));
      this.set({ quantile: 'max' }, delay(histogram.max));
      histogram.reset();
    },
  });
  return { stop: () => histogram.disable() };
}
