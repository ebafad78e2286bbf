import { randomUUID } from 'node:crypto';
import { LessThan } from 'typeorm';
import type { ExportJobRow } from '../db/rows.js';
import { lineEnds } from '../export/csv.js';
import { membersCsv } from '../export/members-csv.js';
import type { Runtime } from '../runtime.js';
import { sendExportReady } from './mail.js';
import { tokenActor } from '../tokens/tokens.js';
import { parseStoredFilter } from './filter.js';
import { permissionsOf } from '../admin/permissions.js';
import type { Permission } from '../config/schema.js';
import { withheldAdminNames } from '../export/withheld-admins.js';
import { findMemberById } from '../members/lookup.js';

const CHUNK_BYTES = 1024 * 1024;
/** A job still `running` after this long was left by a process that died; another run may take it over. */
export const STALE_AFTER_MS = 60 * 60 * 1000;

/**
 * Takes the job for this run: exactly one replica wins the update, the others see zero rows changed. A run that
 * takes over an abandoned job gets a new run id, and the run it replaced stops at its next write.
 */
async function claimJob(runtime: Runtime, jobId: string): Promise<ExportJobRow | null> {
  const { db } = runtime;
  const now = runtime.now();
  const stale = new Date(now.getTime() - STALE_AFTER_MS);
  const runId = randomUUID();
  const taken = await db.transaction(async (manager) => {
    const fresh = await manager.update(db.entities.ExportJob, { id: jobId, state: 'queued' }, { state: 'running', runId, startedAt: now });
    if (fresh.affected) return true;
    const abandoned = await manager.update(db.entities.ExportJob, { id: jobId, state: 'running', startedAt: LessThan(stale) }, { state: 'running', runId, startedAt: now });
    return Boolean(abandoned.affected);
  });
  return taken ? db.source.manager.findOneBy(db.entities.ExportJob, { id: jobId }) : null;
}

class RunTakenOver extends Error {}

/** The claim links a job leaves out: a token's leaves out every administrator's, an admin's those stronger than them. */
async function withheldFor(runtime: Runtime, job: ExportJobRow): Promise<string[]> {
  const admin = job.adminId ? await findMemberById(runtime.db, job.adminId) : null;
  const permissions = admin ? permissionsOf(runtime.config, admin) : new Set<Permission>();
  return withheldAdminNames(runtime.config, { permissions, token: !job.adminId });
}

/** The audit actor of a job: its admin, or `token:<name>` for a token's. */
async function exportActor(runtime: Runtime, job: ExportJobRow): Promise<string | null> {
  if (job.adminId || !job.tokenId) return job.adminId;
  const token = await runtime.db.source.manager.findOneBy(runtime.db.entities.ServiceToken, { id: job.tokenId });
  return token ? tokenActor(token) : null;
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
  const actorId = await exportActor(runtime, job);
  let seq = 0;
  let bytes = 0;
  let rowCount = -1;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const mine = { id: jobId, runId: job.runId! };
  const flush = async () => {
    if (!pendingBytes) return;
    const data = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    await db.transaction(async (manager) => {
      if (!(await manager.countBy(db.entities.ExportJob, mine))) throw new RunTakenOver();
      await manager.insert(db.entities.ExportChunk, { jobId, seq: seq++, data });
    });
  };
  try {
    for await (const part of membersCsv(runtime, filter.status, filter.search, await withheldFor(runtime, job))) {
      const chunk = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
      pending.push(chunk);
      pendingBytes += chunk.length;
      bytes += chunk.length;
      rowCount += lineEnds(chunk);
      if (pendingBytes >= CHUNK_BYTES) await flush();
    }
    await flush();
  } catch (error) {
    if (error instanceof RunTakenOver) {
      logger.warn({ exportId: jobId }, 'export run taken over by another; this one stops');
      return;
    }
    logger.error({ err: error, exportId: jobId }, 'export failed');
    await db.transaction(async (manager) => {
      const failed = await manager.update(db.entities.ExportJob, mine, { state: 'failed', finishedAt: runtime.now(), error: 'the export could not be written' });
      if (!failed.affected) return;
      await manager.delete(db.entities.ExportChunk, { jobId });
      await audit({ event: 'export.failed', outcome: 'failure', actorId, details: { exportId: jobId } }, manager);
    });
    return;
  }
  const finishedAt = runtime.now();
  const ready: ExportJobRow = {
    ...job, state: 'ready', rowCount, bytes, finishedAt, expiresAt: new Date(finishedAt.getTime() + runtime.config.exports.linkTtl),
  };
  const completed = await db.transaction(async (manager) => {
    const done = await manager.update(db.entities.ExportJob, { ...mine, state: 'running' }, { state: 'ready', rowCount, bytes, finishedAt, expiresAt: ready.expiresAt });
    if (!done.affected) return false;
    await audit({ event: 'export.completed', actorId, details: { exportId: jobId, rows: rowCount, bytes } }, manager);
    return true;
  });
  if (completed) await sendExportReady(runtime, ready);
}


/**
 * Exports a stopped process left queued or half-built go back on the queue (a run that finds one already taken or
 * done does nothing), so start-up never waits for an export to be built.
 */
export async function recoverExports(runtime: Runtime): Promise<void> {
  const { db } = runtime;
  const stale = new Date(runtime.now().getTime() - STALE_AFTER_MS);
  const jobs = await db.source.manager.find(db.entities.ExportJob, {
    where: [{ state: 'queued' }, { state: 'running', startedAt: LessThan(stale) }],
    select: { id: true },
  });
  for (const job of jobs) await runtime.jobs.enqueueExport(job.id);
}
