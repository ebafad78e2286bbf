import { LessThan } from 'typeorm';
import type { Runtime } from '../runtime.js';

/** Deletes what has outlived its use: export files past their link's expiry, import uploads never applied. */
export async function deleteExpiredFiles(runtime: Runtime): Promise<void> {
  const { db } = runtime;
  const now = runtime.now();
  // Only ready jobs: one still queued or running has sent no link yet, and a failed one kept no file.
  await db.source.manager.createQueryBuilder().delete().from(db.entities.ExportChunk)
    .where("job_id IN (SELECT id FROM export_jobs WHERE state = 'ready' AND expires_at < :now)", { now })
    .execute();
  await db.source.manager.delete(db.entities.ImportUpload, { expiresAt: LessThan(now) });
}
