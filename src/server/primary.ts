import cluster, { type Worker } from 'node:cluster';
import type { Config } from '../config/schema.js';
import { createLogger } from '../logging/logger.js';
import { serveClusterMetrics } from '../metrics/cluster.js';
import { dispatchConnections } from './connection-dispatch.js';
import { CONNECTION_CLOSED, TAKEN, WORKER_DRAINING, WORKER_READY, isMessage } from './handoff.js';
import { listenFailure } from './listen-failure.js';
import { recordListening } from './server-record.js';
import { workerWatchdog } from './worker-watchdog.js';

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
  ready: boolean;
}

/**
 * The cluster primary: forks `count` workers, then listens on the port once every one is ready and hands each
 * connection to the worker holding the fewest (least-connections.ts). It restarts a worker that dies, and on
 * SIGTERM/SIGINT stops accepting and drains every worker before exiting. It serves nothing, opens no database, and
 * runs no job: worker 1 runs the background jobs (src/server/main.ts).
 */
export function runPrimary(config: Config, count: number): void {
  const logger = createLogger(config.log.level);
  const slots = new Map<number, Slot>();
  let stopping = false;
  let announced = false;
  let exitCode = 0;
  const dispatch = dispatchConnections(logger);
  const slotOf = (worker: Worker) => [...slots.entries()].find(([, entry]) => entry.worker === worker);
  const watchdog = workerWatchdog(config.server.workerTimeout, (worker, silentForMs) => {
    logger.error({ worker: slotOf(worker)?.[0], pid: worker.process.pid, silentForMs }, 'worker stopped answering: killing it');
    // Its exit then restarts it, and connections not yet taken by it go to the others.
    worker.process.kill('SIGKILL');
  });

  const listen = () => {
    const port = Number(process.env.PORT ?? 3000);
    dispatch.listen(port, (listening) => {
      logger.info({ port: listening, baseUrl: config.baseUrl, workers: count, pid: process.pid }, 'claimgate listening');
      recordListening(config, listening, logger);
    }, (error) => {
      // The port cannot be had: the workers drain (worker 1 may have started jobs) and the start fails.
      process.stderr.write(`${listenFailure(error, port)}\n`);
      stopping = true;
      exitCode = 1;
      for (const entry of slots.values()) entry.worker?.process.kill('SIGTERM');
    });
  };

  const ready = (worker: Worker) => {
    const slot = slotOf(worker);
    if (!slot || stopping) return;
    slot[1].ready = true;
    dispatch.add(worker);
    watchdog.watch(worker);
    if (announced) return void logger.info({ worker: slot[0], pid: worker.process.pid }, 'worker restarted');
    if (slots.size < count || ![...slots.values()].every((each) => each.ready)) return;
    announced = true;
    listen();
  };

  cluster.on('message', (worker, message: unknown) => {
    watchdog.heard(worker);
    if (isMessage(message, TAKEN)) dispatch.taken(worker, message.id ?? -1);
    else if (isMessage(message, CONNECTION_CLOSED)) dispatch.closed(worker);
    else if (isMessage(message, WORKER_READY)) ready(worker);
    else if (isMessage(message, WORKER_DRAINING)) {
      watchdog.forget(worker);
      dispatch.drain(worker);
    }
  });
  cluster.on('disconnect', (worker) => {
    watchdog.forget(worker);
    dispatch.lose(worker);
  });

  const fork = (slot: number) => {
    const worker = cluster.fork({ CLAIMGATE_WORKER_SLOT: String(slot) });
    const entry = slots.get(slot) ?? { startedAt: 0, failures: 0, ready: false };
    entry.worker = worker;
    entry.startedAt = Date.now();
    entry.ready = false;
    slots.set(slot, entry);
  };

  cluster.on('exit', (worker, code, signal) => {
    const slot = slotOf(worker);
    if (!slot) return;
    const [number, entry] = slot;
    entry.worker = undefined;
    watchdog.forget(worker);
    dispatch.lose(worker);
    if (stopping) {
      // Stopped by the signal itself: it had not yet reached the point where it drains (nothing to drain then).
      if (code !== 0 && signal !== 'SIGTERM' && signal !== 'SIGINT') exitCode = 1;
      if ([...slots.values()].every((each) => !each.worker)) {
        logger.info({ exitCode }, 'stopped');
        process.exit(exitCode);
      }
      return;
    }
    // A worker that cannot start (a bad database URL, say) would fail the same way forever: the start fails.
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
    // A worker slow to drain is the grace period's to end, not the watchdog's.
    watchdog.stop();
    dispatch.close();
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
