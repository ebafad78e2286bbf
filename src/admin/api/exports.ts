import { z } from 'zod';
import { isRowId } from '../../db/ids.js';
import type { ExportJobRow } from '../../db/rows.js';
import { authorizeOwnDownload, recordDownload, sendExportFile } from '../../export-jobs/download.js';
import { exportFilterSchema } from '../../export-jobs/filter.js';
import { requestExport } from '../../export-jobs/request.js';
import { AppError } from '../../http/errors.js';
import { ownerOf } from '../api-caller.js';
import { ownedBy } from '../owned-by.js';
import { CSV, operation, type Operation } from './operation.js';
import { idParams, time } from './schemas.js';

const jobSchema = z.object({
  id: z.string(), state: z.enum(['queued', 'running', 'ready', 'failed']),
  filter: z.object({ status: z.enum(['all', 'provisioned', 'invited', 'claimed', 'deactivated']), search: z.string() }),
  rowCount: z.number().int(), bytes: z.number().int(), error: z.string().nullable(),
  createdAt: time, startedAt: time.nullable(), finishedAt: time.nullable(), expiresAt: time, downloadedAt: time.nullable(),
  byToken: z.boolean().describe('Requested by a service token: fetched through the API, never mailed'),
}).meta({ id: 'ExportJob' });

function publicJob(job: ExportJobRow) {
  return {
    id: job.id, state: job.state, filter: JSON.parse(job.filter) as unknown, rowCount: job.rowCount, bytes: job.bytes, error: job.error,
    createdAt: job.createdAt, startedAt: job.startedAt, finishedAt: job.finishedAt, expiresAt: job.expiresAt, downloadedAt: job.downloadedAt,
    byToken: Boolean(job.tokenId),
  };
}

export const exportOperations: Operation[] = [
  operation({
    id: 'requestExport', method: 'post', path: '/admin/api/exports', tag: 'exports', permission: 'accounts:manage',
    summary: 'Ask for a CSV of members, built in the background: mailed to a signed-in admin, fetched by a token through the API',
    body: z.strictObject(exportFilterSchema.shape), before: (_runtime, guards) => [guards.exportQuota],
    responses: { 202: z.object({ id: z.string(), state: z.literal('queued') }) },
    async handler({ req, runtime, body }) {
      const job = await requestExport(runtime, ownerOf(req), body, req);
      return { status: 202, body: { id: job.id, state: 'queued' } };
    },
  }),
  operation({
    id: 'getExport', method: 'get', path: '/admin/api/exports/:id', tag: 'exports', permission: 'accounts:manage',
    summary: 'An export\'s state; only the caller who asked for it sees it',
    params: idParams, responses: { 200: jobSchema }, errors: [404],
    async handler({ req, runtime, params }) {
      const { db } = runtime;
      const job = isRowId(params.id) ? await db.source.manager.findOneBy(db.entities.ExportJob, { id: params.id, ...ownedBy(ownerOf(req)) }) : null;
      if (!job) throw new AppError('not_found', 'no such export for this caller');
      return { body: publicJob(job) };
    },
  }),
  operation({
    id: 'downloadExport', method: 'get', path: '/admin/api/exports/:id/download', tag: 'exports', permission: 'accounts:manage',
    summary: 'The CSV of a ready export, by the caller who asked for it',
    params: idParams, responses: { 200: CSV }, errors: [404, 409],
    async handler({ req, res, runtime, params }) {
      const owner = ownerOf(req);
      const job = await authorizeOwnDownload(runtime, params.id, owner, req);
      await recordDownload(runtime, job, owner.actorId, req);
      await sendExportFile(runtime, job, res);
    },
  }),
];
