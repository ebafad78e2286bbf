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
 * Loads an export for its download, or refuses it: `refusal` names what is wrong with this caller's claim to it. Every
 * refusal is audited with its real reason and answered as `code` whatever the reason; expiry and state come after.
 */
async function authorize(runtime: Runtime, jobId: string, refusal: (job: ExportJobRow) => RefusalReason | null, actorId: string, code: 'export_link_invalid' | 'not_found', req: Request): Promise<ExportJobRow> {
  const { db, audit } = runtime;
  const job = isRowId(jobId) ? await db.source.manager.findOneBy(db.entities.ExportJob, { id: jobId }) : null;
  const reason: RefusalReason | null = !job ? 'unknown_export'
    : refusal(job) ?? (job.expiresAt.getTime() <= runtime.now().getTime() ? 'expired' : null);
  if (reason || !job) {
    await audit({ event: 'export.download_refused', outcome: 'failure', actorId, req, details: { exportId: job ? job.id : null, reason: reason ?? 'unknown_export' } });
    throw new AppError(code, `export download refused: ${reason}`);
  }
  if (job.state === 'failed') throw new AppError('export_failed', `export ${job.id} failed`);
  if (job.state !== 'ready') throw new AppError('export_not_ready', `export ${job.id} is ${job.state}`);
  return job;
}

/**
 * Checks an emailed download link: it must be the one sent for this export, used by the admin who asked for it, before
 * it expires. Every refusal looks the same to the caller.
 */
export function authorizeDownload(runtime: Runtime, jobId: string, token: string, admin: MemberRow, req: Request): Promise<ExportJobRow> {
  const refusal = (job: ExportJobRow): RefusalReason | null => (!isDownloadTokenValid(runtime.keys.exportLink, job, token) ? 'bad_token'
    : job.adminId !== admin.id ? 'other_admin' : null);
  return authorize(runtime, jobId, refusal, admin.id, 'export_link_invalid', req);
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
 * it expires. Another caller's export looks like an unknown one.
 */
export function authorizeOwnDownload(runtime: Runtime, jobId: string, owner: Owner, req: Request): Promise<ExportJobRow> {
  const refusal = (job: ExportJobRow): RefusalReason | null => (job.adminId === owner.adminId && job.tokenId === owner.tokenId ? null : 'other_caller');
  return authorize(runtime, jobId, refusal, owner.actorId, 'not_found', req);
}

export async function recordDownload(runtime: Runtime, job: ExportJobRow, actorId: string, req: Request): Promise<void> {
  const { db, audit } = runtime;
  await db.transaction(async (manager) => {
    await manager.update(db.entities.ExportJob, { id: job.id }, { downloadedAt: runtime.now() });
    await audit({ event: 'export.downloaded', actorId, req, details: { exportId: job.id, rows: job.rowCount, bytes: job.bytes } }, manager);
  });
}
