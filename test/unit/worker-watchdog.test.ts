import type { Worker } from 'node:cluster';
import { workerWatchdog, type WatchdogClock } from '../../src/server/worker-watchdog.js';

/** A clock the test turns by hand: `tick` runs the watchdog's timer as often as the time passed calls for. */
function handClock() {
  let at = 0;
  let interval = 0;
  let tick: (() => void) | undefined;
  const clock: WatchdogClock = {
    now: () => at,
    every(ms, run) {
      interval = ms;
      tick = run;
      return () => (tick = undefined);
    },
  };
  return {
    clock,
    get interval() {
      return interval;
    },
    advance(ms: number, between?: () => void) {
      for (let passed = 0; passed < ms; passed += interval) {
        at += interval;
        tick?.();
        between?.();
      }
    },
  };
}

function fakeWorker(name: string) {
  const pings: unknown[] = [];
  const worker = { name, pings, isConnected: () => true, send: (message: unknown) => void pings.push(message) };
  return worker as unknown as Worker & { pings: unknown[] };
}

describe('the primary\'s watchdog over its workers', () => {
  // A worker stuck in an endless loop neither dies nor closes its connections: nothing else would ever replace it.
  it('reports a worker silent for longer than the timeout, once, and not one that answers', () => {
    const time = handClock();
    const reported: Array<[string, number]> = [];
    const watchdog = workerWatchdog(30_000, (worker, silent) => reported.push([(worker as unknown as { name: string }).name, silent]), time.clock);
    expect(time.interval).toBe(5_000);
    const answering = fakeWorker('answering');
    const hung = fakeWorker('hung');
    watchdog.watch(answering);
    watchdog.watch(hung);
    time.advance(60_000, () => watchdog.heard(answering));
    expect(reported).toEqual([['hung', 35_000]]);
    expect(answering.pings.length).toBe(12);
    // Reported workers are no longer asked: the primary has killed them.
    expect(hung.pings.length).toBe(6);
  });

  it('asks at a third of a short timeout, and forgets a worker that drains or exits', () => {
    const time = handClock();
    const reported: string[] = [];
    const watchdog = workerWatchdog(3_000, (worker) => reported.push((worker as unknown as { name: string }).name), time.clock);
    expect(time.interval).toBe(1_000);
    const draining = fakeWorker('draining');
    watchdog.watch(draining);
    watchdog.forget(draining);
    // A worker heard from before it was watched (still starting) is not watched by that.
    const starting = fakeWorker('starting');
    watchdog.heard(starting);
    time.advance(10_000);
    expect(reported).toEqual([]);
    expect(draining.pings).toEqual([]);
  });

  it('stops asking and reporting once stopped (a drain is the grace period\'s to end)', () => {
    const time = handClock();
    const reported: string[] = [];
    const watchdog = workerWatchdog(3_000, (worker) => reported.push((worker as unknown as { name: string }).name), time.clock);
    const worker = fakeWorker('slow to drain');
    watchdog.watch(worker);
    watchdog.stop();
    time.advance(10_000);
    expect(reported).toEqual([]);
    expect(worker.pings).toEqual([]);
  });
});
