import { LessThan } from 'typeorm';
import type { Runtime } from '../runtime.js';

/** Deletes what has outlived its use: export files past their link's expiry, import uploads never applied. */
export async function deleteExpiredFiles(runtime: Runtime): Promise<void> {
  const { db } = runtime;
  const now = runtime.now();
  const expired = await db.source.manager.find(db.entities.ExportJob, { where: { expiresAt: LessThan(now) }, select: { id: true } });
  for (const job of expired) await db.source.manager.delete(db.entities.ExportChunk, { jobId: job.id });
  await db.source.manager.delete(db.entities.ImportUpload, { expiresAt: LessThan(now) });
}
