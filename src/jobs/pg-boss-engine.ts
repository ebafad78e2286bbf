import pg from 'pg';
import PgBoss from 'pg-boss';
import type { Logger } from '../logging/logger.js';
import { coalesced } from './coalesced.js';
import type { JobEngine, Workers } from './engine.js';

const EXPORT_QUEUE = 'export-run';
const WEBHOOK_QUEUE = 'webhook-deliver';
/** Arbitrary, fixed: the advisory lock replicas take turns on while they set up queues. */
const QUEUE_SETUP_LOCK = 7_263_514_210;

/**
 * Replicas starting together create the same queues at once, and PostgreSQL can then deadlock attaching the queues'
 * partitions (one replica fails to start): queue set-up runs one replica at a time.
 */
async function oneReplicaAtATime<T>(databaseUrl: string, work: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'claimgate-jobs-setup' });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [QUEUE_SETUP_LOCK]);
    return await work();
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [QUEUE_SETUP_LOCK]).catch(() => undefined);
    await client.end();
  }
}

/** A cron expression for "every N minutes" (pg-boss schedules have minute precision). */
export function cronEvery(everyMs: number): string {
  const minutes = Math.max(1, Math.round(everyMs / 60_000));
  if (minutes < 60) return `*/${minutes} * * * *`;
  const hours = Math.min(23, Math.max(1, Math.round(minutes / 60)));
  return `0 */${hours} * * *`;
}

/**
 * PostgreSQL mode: pg-boss keeps the queue in the same database, so a job survives a restart and runs on exactly one of
 * the replicas; a schedule fires once per slot across all of them.
 */
export function pgBossEngine(databaseUrl: string, logger: Logger): JobEngine {
  const boss = new PgBoss({ connectionString: databaseUrl, schema: 'pgboss', application_name: 'claimgate-jobs', max: 4 });
  boss.on('error', (error: Error) => logger.error({ err: error }, 'job queue error'));
  let started: Promise<unknown> | undefined;
  const start = () => {
    started ??= oneReplicaAtATime(databaseUrl, async () => {
      await boss.start();
      await boss.createQueue(EXPORT_QUEUE, { name: EXPORT_QUEUE, retryLimit: 2, retryDelay: 30, expireInSeconds: 3600 });
      // 'short': at most one wake-up waits at a time, however many events commit; retries are found by each replica's poll.
      await boss.createQueue(WEBHOOK_QUEUE, { name: WEBHOOK_QUEUE, policy: 'short', retryLimit: 0, expireInSeconds: 3600 });
    });
    return started;
  };
  const timers: NodeJS.Timeout[] = [];
  let localWebhooks: ReturnType<typeof coalesced> | undefined;
  // Wake-ups still being sent when the process stops (a CLI command that just audited): pg-boss must not stop mid-start.
  const wakeUps = new Set<Promise<unknown>>();
  return {
    kind: 'pg-boss',
    async enqueueWebhooks() {
      // A serving process delivers its own events at once; a process without workers (the CLI) wakes one that has.
      if (localWebhooks) return localWebhooks.wake();
      const sending = start().then(() => boss.send(WEBHOOK_QUEUE, {}));
      wakeUps.add(sending);
      try {
        await sending;
      } finally {
        wakeUps.delete(sending);
      }
    },
    async enqueueExport(jobId) {
      await start();
      await boss.send(EXPORT_QUEUE, { jobId });
    },
    async startWorkers(workers: Workers) {
      await start();
      await boss.work<{ jobId: string }>(EXPORT_QUEUE, async ([job]) => {
        if (job) await workers.runExport(job.data.jobId);
      });
      await oneReplicaAtATime(databaseUrl, async () => {
        for (const task of workers.periodic) {
          await boss.createQueue(task.name, { name: task.name, policy: 'singleton', retryLimit: 0, expireInSeconds: 3600 });
          await boss.schedule(task.name, cronEvery(task.everyMs));
        }
      });
      for (const task of workers.periodic) await boss.work(task.name, async () => task.run());
      await boss.work(WEBHOOK_QUEUE, { pollingIntervalSeconds: 0.5 }, async () => workers.deliverWebhooks());
      localWebhooks = coalesced(() => workers.deliverWebhooks(), (error) => logger.error({ err: error, job: 'webhooks' }, 'background job failed'));
      timers.push(setInterval(localWebhooks.wake, workers.webhookPollMs).unref());
      localWebhooks.wake();
      await workers.recover();
    },
    async stop() {
      timers.forEach(clearInterval);
      await localWebhooks?.idle();
      await Promise.allSettled([...wakeUps]);
      if (started) await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
    },
  };
}
