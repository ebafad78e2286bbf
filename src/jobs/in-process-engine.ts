import type { Logger } from '../logging/logger.js';
import { coalesced } from './coalesced.js';
import type { JobEngine, Workers } from './engine.js';

/**
 * The embedded mode's engine: one process, so jobs run in it, one at a time. Durability comes from the rows the jobs
 * work on (a queued export is picked up again by `recover` after a restart), not from the engine.
 */
export function inProcessEngine(logger: Logger): JobEngine {
  let workers: Workers | undefined;
  let chain: Promise<void> = Promise.resolve();
  const timers: NodeJS.Timeout[] = [];
  const run = (name: string, task: () => Promise<void>) => {
    chain = chain.then(task).catch((error: unknown) => logger.error({ err: error, job: name }, 'background job failed'));
    return chain;
  };
  // Webhooks run beside the other jobs (a slow receiver must not hold up an export), one run at a time.
  const webhooks = coalesced(async () => {
    if (workers) await workers.deliverWebhooks();
  }, (error) => logger.error({ err: error, job: 'webhooks' }, 'background job failed'));
  return {
    kind: 'in-process',
    async enqueueWebhooks() {
      webhooks.wake();
    },
    async enqueueExport(jobId) {
      if (workers) void run('export.run', () => workers!.runExport(jobId));
    },
    async startWorkers(given) {
      workers = given;
      for (const task of given.periodic) {
        timers.push(setInterval(() => void run(task.name, task.run), task.everyMs).unref());
        void run(task.name, task.run);
      }
      void run('recover', given.recover);
      timers.push(setInterval(webhooks.wake, given.webhookPollMs).unref());
      webhooks.wake();
    },
    async stop() {
      timers.forEach(clearInterval);
      workers = undefined;
      await chain;
      await webhooks.idle();
    },
  };
}
