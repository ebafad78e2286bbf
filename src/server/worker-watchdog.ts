import type { Worker } from 'node:cluster';
import { PING } from './handoff.js';

export interface WorkerWatchdog {
  /** A worker ready for connections: from now on it must answer. */
  watch(worker: Worker): void;
  /** The worker said something: its event loop turns. */
  heard(worker: Worker): void;
  /** A worker that exited or drains: no longer watched. */
  forget(worker: Worker): void;
  stop(): void;
}

/** The time, and a repeating timer that answers how to cancel it (one that does not keep the process alive). */
export interface WatchdogClock {
  now(): number;
  every(ms: number, tick: () => void): () => void;
}

const REAL_CLOCK: WatchdogClock = {
  now: Date.now,
  every(ms, tick) {
    const timer = setInterval(tick, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
};

/**
 * Tells a worker whose event loop still turns from one that hangs (an endless loop, a stopped process): a hung
 * worker neither dies nor closes the connections it holds, so the primary would never replace it. The primary asks
 * every worker at a third of `timeoutMs` (at most every 5 s), and a worker silent for longer than `timeoutMs` is
 * reported once to `unresponsive`, which kills it; its replacement then starts as after any death.
 */
export function workerWatchdog(timeoutMs: number, unresponsive: (worker: Worker, silentForMs: number) => void, clock: WatchdogClock = REAL_CLOCK): WorkerWatchdog {
  const { now } = clock;
  const lastHeard = new Map<Worker, number>();
  const cancel = clock.every(Math.min(timeoutMs / 3, 5_000), () => {
    const at = now();
    for (const [worker, heard] of lastHeard) {
      if (at - heard > timeoutMs) {
        lastHeard.delete(worker);
        unresponsive(worker, at - heard);
      } else if (worker.isConnected()) {
        // A send that fails means the channel closed: the primary learns that from 'disconnect'.
        worker.send({ type: PING }, () => undefined);
      }
    }
  });
  return {
    watch: (worker) => void lastHeard.set(worker, now()),
    heard(worker) {
      if (lastHeard.has(worker)) lastHeard.set(worker, now());
    },
    forget: (worker) => void lastHeard.delete(worker),
    stop() {
      cancel();
      lastHeard.clear();
    },
  };
}
