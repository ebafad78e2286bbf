import cluster, { type Worker } from 'node:cluster';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config/schema.js';
import { createLogger } from '../logging/logger.js';
import { serveClusterMetrics } from '../metrics/cluster.js';

/** A worker that dies within this long of its start counts as a failed start: the next restart waits longer. */
const HEALTHY_AFTER_MS = 10_000;
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 15_000;
/** The workers' own grace period is 10 s; this is the primary's last word after it. */
const DRAIN_LIMIT_MS = 15_000;

/** The delay before restarting a worker that has died `failures` times in a row soon after its start. */
export function restartDelay(failures: number): number {
  return failures === 0 ? 0 : Math.min(FIRST_RETRY_MS * 2 ** (failures - 1), MAX_RETRY_MS);
}

interface Slot {
  worker?: Worker;
  startedAt: number;
  failures: number;
  listening: boolean;
}

/**
 * The cluster primary: forks `count` workers that share the port (the primary accepts and hands connections out in
 * turn), restarts a worker that dies, and on SIGTERM/SIGINT drains every worker before exiting. It serves nothing,
 * opens no database, and runs no job: worker 1 runs the background jobs (src/server/main.ts).
 */
export function runPrimary(config: Config, count: number): void {
  const logger = createLogger(config.log.level);
  const slots = new Map<number, Slot>();
  let stopping = false;
  let announced = false;
  let exitCode = 0;

  const fork = (slot: number) => {
    const worker = cluster.fork({ CLAIMGATE_WORKER_SLOT: String(slot) });
    const entry = slots.get(slot) ?? { startedAt: 0, failures: 0, listening: false };
    entry.worker = worker;
    entry.startedAt = Date.now();
    entry.listening = false;
    slots.set(slot, entry);
    worker.once('listening', (address: AddressInfo) => {
      entry.listening = true;
      if (announced) return void logger.info({ worker: slot, pid: worker.process.pid }, 'worker restarted');
      if (slots.size < count || ![...slots.values()].every((each) => each.listening)) return;
      announced = true;
      logger.info({ port: address.port, baseUrl: config.baseUrl, workers: count, pid: process.pid }, 'claimgate listening');
    });
  };

  cluster.on('exit', (worker, code, signal) => {
    const slot = [...slots.entries()].find(([, entry]) => entry.worker === worker);
    if (!slot) return;
    const [number, entry] = slot;
    entry.worker = undefined;
    if (stopping) {
      if (code !== 0) exitCode = 1;
      if ([...slots.values()].every((each) => !each.worker)) {
        logger.info({ exitCode }, 'stopped');
        process.exit(exitCode);
      }
      return;
    }
    // A worker that cannot start (bad database URL, port in use) would fail the same way forever: the start fails.
    if (!announced) {
      logger.error({ worker: number, code, signal }, 'a worker failed to start: stopping');
      stopping = true;
      exitCode = 1;
      for (const other of slots.values()) other.worker?.process.kill('SIGTERM');
      if ([...slots.values()].every((each) => !each.worker)) process.exit(1);
      return;
    }
    entry.failures = Date.now() - entry.startedAt < HEALTHY_AFTER_MS ? entry.failures + 1 : 0;
    const delay = restartDelay(entry.failures);
    logger.error({ worker: number, pid: worker.process.pid, code, signal, restartInMs: delay }, 'worker died: restarting');
    setTimeout(() => {
      if (!stopping) fork(number);
    }, delay);
  });

  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, workers: count }, 'shutting down: draining every worker');
    setTimeout(() => {
      logger.error({ signal }, 'workers still running after the grace period: killing them');
      for (const entry of slots.values()) entry.worker?.process.kill('SIGKILL');
      process.exit(1);
    }, DRAIN_LIMIT_MS).unref();
    for (const entry of slots.values()) entry.worker?.process.kill(signal);
    if ([...slots.values()].every((each) => !each.worker)) process.exit(0);
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  serveClusterMetrics();
  for (let slot = 1; slot <= count; slot += 1) fork(slot);
}
