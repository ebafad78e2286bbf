import { LessThan } from 'typeorm';
import type { ExportJobRow } from '../db/rows.js';
import { membersCsv } from '../export/members-csv.js';
import type { Runtime } from '../runtime.js';
import { sendExportReady } from './mail.js';
import { parseStoredFilter } from './filter.js';

const CHUNK_BYTES = 1024 * 1024;
/** A job still `running` after this long was left by a process that died; another run may take it over. */
export const STALE_AFTER_MS = 60 * 60 * 1000;

/** Takes the job for this process: exactly one replica wins the update, the others see zero rows changed. */
async function claimJob(runtime: Runtime, jobId: string): Promise<ExportJobRow | null> {
  const { db } = runtime;
  const now = runtime.now();
  const stale = new Date(now.getTime() - STALE_AFTER_MS);
  const taken = await db.transaction(async (manager) => {
    const fresh = await manager.update(db.entities.ExportJob, { id: jobId, state: 'queued' }, { state: 'running', startedAt: now });
    if (fresh.affected) return true;
    const abandoned = await manager.update(db.entities.ExportJob, { id: jobId, state: 'running', startedAt: LessThan(stale) }, { state: 'running', startedAt: now });
    return Boolean(abandoned.affected);
  });
  return taken ? db.source.manager.findOneBy(db.entities.ExportJob, { id: jobId }) : null;
}

/**
 * Builds the CSV of one export into the database in 1 MB chunks (any replica can serve the download), then mails the
 * admin a link. A failure leaves no partial file behind and is audited.
 */
export async function runExportJob(runtime: Runtime, jobId: string): Promise<void> {
  const { db, audit, logger } = runtime;
  const job = await claimJob(runtime, jobId);
  if (!job) return;
  await db.source.manager.delete(db.entities.ExportChunk, { jobId });
  const filter = parseStoredFilter(job.filter);
  let seq = 0;
  let bytes = 0;
  let rowCount = -1;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (!pendingBytes) return;
    const data = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    await db.source.manager.insert(db.entities.ExportChunk, { jobId, seq: seq++, data });
  };
  try {
    for await (const text of membersCsv(runtime, filter.status, filter.search)) {
      const chunk = Buffer.from(text, 'utf8');
      pending.push(chunk);
      pendingBytes += chunk.length;
      bytes += chunk.length;
      rowCount += countLines(text);
      if (pendingBytes >= CHUNK_BYTES) await flush();
    }
    await flush();
  } catch (error) {
    logger.error({ err: error, exportId: jobId }, 'export failed');
    await db.source.manager.delete(db.entities.ExportChunk, { jobId });
    await db.transaction(async (manager) => {
      await manager.update(db.entities.ExportJob, { id: jobId }, { state: 'failed', finishedAt: runtime.now(), error: 'the export could not be written' });
      await audit({ event: 'export.failed', outcome: 'failure', actorId: job.adminId, details: { exportId: jobId } }, manager);
    });
    return;
  }
  const finishedAt = runtime.now();
  const ready: ExportJobRow = {
    ...job, state: 'ready', rowCount, bytes, finishedAt, expiresAt: new Date(finishedAt.getTime() + runtime.config.exports.linkTtl),
  };
  await db.transaction(async (manager) => {
    await manager.update(db.entities.ExportJob, { id: jobId }, { state: 'ready', rowCount, bytes, finishedAt, expiresAt: ready.expiresAt });
    await audit({ event: 'export.completed', actorId: job.adminId, details: { exportId: jobId, rows: rowCount, bytes } }, manager);
  });
  await sendExportReady(runtime, ready);
}

/** Rows end in CRLF (a value holding a line break counts twice: the figure is informative only). */
function countLines(text: string): number {
  return text.split('\r\n').length - 1;
}

/** Exports a stopped process left queued or half-built are run again. */
export async function recoverExports(runtime: Runtime): Promise<void> {
  const { db } = runtime;
  const stale = new Date(runtime.now().getTime() - STALE_AFTER_MS);
  const jobs = await db.source.manager.find(db.entities.ExportJob, {
    where: [{ state: 'queued' }, { state: 'running', startedAt: LessThan(stale) }],
    select: { id: true },
  });
  for (const job of jobs) await runExportJob(runtime, job.id);
}
