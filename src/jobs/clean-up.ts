import { LessThan } from 'typeorm';
import type { Runtime } from '../runtime.js';

/** Deletes what has outlived its use: export files past their link's expiry, import uploads never applied. */
export async function deleteExpiredFiles(runtime: Runtime): Promise<void> {
  const { db } = runtime;
  const now = runtime.now();
  // Only finished jobs: a job still queued or running is not past a link that was never sent.
  const expired = await db.source.manager.find(db.entities.ExportJob, {
    where: [{ state: 'ready', expiresAt: LessThan(now) }, { state: 'failed', expiresAt: LessThan(now) }],
    select: { id: true },
  });
  for (const job of expired) await db.source.manager.delete(db.entities.ExportChunk, { jobId: job.id });
  await db.source.manager.delete(db.entities.ImportUpload, { expiresAt: LessThan(now) });
}
