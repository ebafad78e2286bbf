/** Work that runs in the background, once, on whichever replica picks it up. */
export interface Workers {
  /** Builds the CSV of one requested export. */
  runExport(jobId: string): Promise<void>;
  /** Tasks that run every so often on one replica at a time (reminders, clean-up). */
  periodic: PeriodicTask[];
  /** Delivers the webhook messages that are due (safe on every replica at once). */
  deliverWebhooks(): Promise<void>;
  /** How often a serving process looks for webhook retries that fell due. */
  webhookPollMs: number;
  /** Picks up work a stopped process left behind. */
  recover(): Promise<void>;
}

export interface PeriodicTask {
  name: string;
  everyMs: number;
  run(): Promise<void>;
}

export interface JobEngine {
  readonly kind: 'pg-boss' | 'in-process';
  /** Queues an export run. Safe to call from a process that runs no workers (the job waits for one that does). */
  enqueueExport(jobId: string): Promise<void>;
  /** Wakes a webhook deliverer after new messages committed (coalesced: many calls, one run). */
  enqueueWebhooks(): Promise<void>;
  startWorkers(workers: Workers): Promise<void>;
  stop(): Promise<void>;
}
