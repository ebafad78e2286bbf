import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import type { Owner } from '../admin/api-caller.js';
import type { ExportJobRow, MemberRow } from '../db/rows.js';
import type { Runtime } from '../runtime.js';
import type { ExportFilter } from './filter.js';
import { requestedDetails } from './requested.js';

/**
 * Records the export request and queues it; the CSV is built in the background and mailed to the admin as a link. A
 * service token's export is not mailed: the token fetches it through the API.
 */
export async function requestExport(runtime: Runtime, by: Owner | Pick<MemberRow, 'id'>, filter: ExportFilter, req?: Request): Promise<ExportJobRow> {
  const owner: Owner = 'actorId' in by ? by : { adminId: by.id, tokenId: null, actorId: by.id };
  const { db, audit } = runtime;
  const now = runtime.now();
  const job: ExportJobRow = {
    id: randomUUID(), adminId: owner.adminId, tokenId: owner.tokenId, filter: JSON.stringify(filter), state: 'queued', rowCount: 0, bytes: 0, error: null,
    createdAt: now, runId: null, startedAt: null, finishedAt: null, expiresAt: new Date(now.getTime() + runtime.config.exports.linkTtl), downloadedAt: null,
  };
  await db.transaction(async (manager) => {
    await manager.insert(db.entities.ExportJob, job);
    await audit({ event: 'export.requested', actorId: owner.actorId, req, details: requestedDetails(job.id, { kind: 'members', ...filter }) }, manager);
  });
  await runtime.jobs.enqueueExport(job.id);
  return job;
}
