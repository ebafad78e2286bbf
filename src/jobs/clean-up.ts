import { In, LessThan } from 'typeorm';
import type { Runtime } from '../runtime.js';

/** How long delivered and failed webhook messages (and their attempts) stay visible in the delivery log. */
export const WEBHOOK_LOG_KEPT = 30 * 24 * 60 * 60 * 1000;

/**
 * Deletes what has outlived its use: export files past their link's expiry, import uploads never applied, webhook
 * messages settled more than WEBHOOK_LOG_KEPT ago.
 */
export async function deleteExpiredFiles(runtime: Runtime): Promise<void> {
  const { db } = runtime;
  const now = runtime.now();
  // Only ready jobs: one still queued or running has sent no link yet, and a failed one kept no file.
  await db.source.manager.createQueryBuilder().delete().from(db.entities.ExportChunk)
    .where("job_id IN (SELECT id FROM export_jobs WHERE state = 'ready' AND expires_at < :now)", { now })
    .execute();
  await db.source.manager.delete(db.entities.ImportUpload, { expiresAt: LessThan(now) });
  await db.source.manager.delete(db.entities.WebhookMessage, { state: In(['delivered', 'failed']), createdAt: LessThan(new Date(now.getTime() - WEBHOOK_LOG_KEPT)) });
}
