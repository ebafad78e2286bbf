import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import { isRowId } from '../db/ids.js';
import type { ExportJobRow, MemberRow } from '../db/rows.js';
import { AppError } from '../http/errors.js';
import type { Runtime } from '../runtime.js';
import { isDownloadTokenValid } from './download-link.js';
import type { Owner } from '../admin/api-caller.js';

export type RefusalReason = 'unknown_export' | 'bad_token' | 'other_admin' | 'other_caller' | 'expired';

/**
 * Checks an emailed download link: it must be the one sent for this export, used by the admin who asked for it, before
 * it expires. Every refusal looks the same to the caller and is audited with its real reason.
 */
export async function authorizeDownload(runtime: Runtime, jobId: string, token: string, admin: MemberRow, req: Request): Promise<ExportJobRow> {
  const { db, audit, keys } = runtime;
  const job = isRowId(jobId) ? await db.source.manager.findOneBy(db.entities.ExportJob, { id: jobId }) : null;
  const reason: RefusalReason | null = !job ? 'unknown_export'
    : !isDownloadTokenValid(keys.exportLink, job, token) ? 'bad_token'
      : job.adminId !== admin.id ? 'other_admin'
        : job.expiresAt.getTime() <= runtime.now().getTime() ? 'expired'
          : null;
  if (reason || !job) {
    await audit({
      event: 'export.download_refused', outcome: 'failure', actorId: admin.id, req,
      details: { exportId: job ? job.id : null, reason: reason ?? 'unknown_export' },
    });
    throw new AppError('export_link_invalid', `export download refused: ${reason}`);
  }
  if (job.state === 'failed') throw new AppError('export_failed', `export ${job.id} failed`);
  if (job.state !== 'ready') throw new AppError('export_not_ready', `export ${job.id} is ${job.state}`);
  return job;
}

/** The file, a chunk at a time in order, so a large export never sits whole in memory. */
async function* exportChunks(runtime: Runtime, job: ExportJobRow): AsyncGenerator<Buffer> {
  const { db } = runtime;
  for (let seq = 0; ; seq += 1) {
    const chunk = await db.source.manager.findOne(db.entities.ExportChunk, { where: { jobId: job.id, seq } });
    if (!chunk) return;
    yield Buffer.from(chunk.data);
  }
}

/** Sends a ready export as the CSV attachment it is, streamed from its chunks. */
export async function sendExportFile(runtime: Runtime, job: ExportJobRow, res: Response): Promise<void> {
  res.status(200).set({
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="members-${job.createdAt.toISOString().slice(0, 10)}.csv"`,
    'Cache-Control': 'no-store',
    'Content-Length': String(job.bytes),
  });
  await pipeline(Readable.from(exportChunks(runtime, job)), res);
}

/**
 * An export fetched through the API: only by the caller who asked for it (the same admin, or the same token), before
 * it expires. Another caller's export looks like an unknown one, and the refusal is audited with its real reason.
 */
export async function authorizeOwnDownload(runtime: Runtime, jobId: string, owner: Owner, req: Request): Promise<ExportJobRow> {
  const { db, audit } = runtime;
  const job = isRowId(jobId) ? await db.source.manager.findOneBy(db.entities.ExportJob, { id: jobId }) : null;
  const mine = job !== null && job.adminId === owner.adminId && job.tokenId === owner.tokenId;
  const reason: RefusalReason | null = !job ? 'unknown_export'
    : !mine ? 'other_caller'
      : job.expiresAt.getTime() <= runtime.now().getTime() ? 'expired'
        : null;
  if (reason || !job) {
    await audit({ event: 'export.download_refused', outcome: 'failure', actorId: owner.actorId, req, details: { exportId: job ? job.id : null, reason: reason ?? 'unknown_export' } });
    throw new AppError('not_found', `export download refused: ${reason}`);
  }
  if (job.state === 'failed') throw new AppError('export_failed', `export ${job.id} failed`);
  if (job.state !== 'ready') throw new AppError('export_not_ready', `export ${job.id} is ${job.state}`);
  return job;
}

export async function recordDownload(runtime: Runtime, job: ExportJobRow, actorId: string, req: Request): Promise<void> {
  const { db, audit } = runtime;
  await db.transaction(async (manager) => {
    await manager.update(db.entities.ExportJob, { id: job.id }, { downloadedAt: runtime.now() });
    await audit({ event: 'export.downloaded', actorId, req, details: { exportId: job.id, rows: job.rowCount, bytes: job.bytes } }, manager);
  });
}
