import { recoverExports, runExportJob } from '../export-jobs/run.js';
import { sendDueReminders } from '../reminders/send-reminders.js';
import type { Runtime } from '../runtime.js';
import { timedJob } from '../metrics/jobs.js';
import { deleteExpiredFiles } from './clean-up.js';
import { deliverWebhooks } from '../webhooks/deliver.js';
import type { Workers } from './engine.js';

const CLEAN_UP_EVERY = 60 * 60 * 1000;

/** What a serving process runs in the background. */
export function serverWorkers(runtime: Runtime): Workers {
  const { metrics } = runtime;
  return {
    runExport: (jobId) => timedJob(metrics, 'export', () => runExportJob(runtime, jobId)),
    periodic: [
      { name: 'reminders', everyMs: runtime.config.reminders.checkEvery, run: () => timedJob(metrics, 'reminders', async () => void (await sendDueReminders(runtime))) },
      { name: 'clean-up', everyMs: CLEAN_UP_EVERY, run: () => timedJob(metrics, 'clean-up', () => deleteExpiredFiles(runtime)) },
    ],
    deliverWebhooks: async () => void (await deliverWebhooks(runtime)),
    webhookPollMs: runtime.config.webhooks.pollEvery,
    recover: () => timedJob(metrics, 'recover', () => recoverExports(runtime)),
  };
}
