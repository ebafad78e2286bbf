import type { Request } from 'express';
import { z } from 'zod';
import { isRowId } from '../../db/ids.js';
import type { ImportUploadRow } from '../../db/rows.js';
import { AppError } from '../../http/errors.js';
import { importMembers } from '../../import/import-members.js';
import type { ImportReport } from '../../import/report.js';
import type { Runtime } from '../../runtime.js';
import { ownerOf } from '../api-caller.js';
import { keepUpload, releaseUpload, takeUpload } from '../import-uploads.js';
import { ownedBy } from '../owned-by.js';
import { operation, type Operation } from './operation.js';
import { idParams, time } from './schemas.js';

/** A preview lists every problem row but only this many valid ones: a large file's answer stays small. */
const VALID_ROWS_SHOWN = 100;

const reportSchema = z.object({
  dryRun: z.boolean(), invite: z.enum(['now', 'later']),
  rows: z.number().int(), valid: z.number().int(), incomplete: z.number().int(), invalid: z.number().int(),
  created: z.number().int(), updated: z.number().int(), unchanged: z.number().int(),
  invitedByLink: z.number().int(), invitedByCode: z.number().int(),
  rejected: z.array(z.object({
    line: z.number().int(), class: z.enum(['incomplete', 'invalid']), reason: z.string(),
    reasonParts: z.array(z.object({ kind: z.enum(['incomplete', 'invalid']), message: z.string(), key: z.string().optional(), params: z.record(z.string(), z.unknown()).optional() })).optional(),
  })),
  validRows: z.array(z.object({
    line: z.number().int(), action: z.enum(['create', 'update', 'unchanged']), email: z.string().nullable(), employeeId: z.string().nullable(), name: z.string().nullable(),
  })).max(VALID_ROWS_SHOWN).optional().describe(`The first ${VALID_ROWS_SHOWN} valid rows (\`valid\` counts them all); every rejected row is in \`rejected\``),
}).meta({ id: 'ImportReport' });

const uploadSchema = z.object({
  id: z.string(), fileName: z.string(), size: z.number().int(), createdAt: time, expiresAt: time, appliedAt: time.nullable(),
  state: z.enum(['previewed', 'applied', 'expired']),
}).meta({ id: 'ImportUpload' });

const inviteWhen = z.enum(['now', 'later']).default('later').describe('`now` invites every valid row; `later` leaves new members provisioned');

function publicUpload(runtime: Runtime, upload: ImportUploadRow) {
  const state = upload.appliedAt ? 'applied' : upload.expiresAt.getTime() <= runtime.now().getTime() ? 'expired' : 'previewed';
  return { id: upload.id, fileName: upload.fileName, size: upload.size, createdAt: upload.createdAt, expiresAt: upload.expiresAt, appliedAt: upload.appliedAt, state };
}

function shortened(report: ImportReport): ImportReport {
  return report.validRows ? { ...report, validRows: report.validRows.slice(0, VALID_ROWS_SHOWN) } : report;
}

function csvOf(req: Request): Buffer {
  if (!Buffer.isBuffer(req.body) || !req.body.length) throw new AppError('validation_failed', 'no csv body', 'Send the CSV file as the request body (Content-Type: text/csv).');
  return req.body;
}

/** Only the caller who uploaded the file sees it: another admin's or token's upload is not found. */
async function ownUpload(runtime: Runtime, req: Request, id: string): Promise<ImportUploadRow> {
  const upload = isRowId(id) ? await runtime.db.source.manager.findOneBy(runtime.db.entities.ImportUpload, { id, ...ownedBy(ownerOf(req)) }) : null;
  if (!upload) throw new AppError('not_found', 'no such upload for this caller');
  return upload;
}

const withReport = z.object({ upload: uploadSchema, report: reportSchema }).meta({ id: 'ImportUploadReport' });

export const importOperations: Operation[] = [
  operation({
    id: 'importMembers', method: 'post', path: '/admin/api/imports', tag: 'imports', permission: 'accounts:manage',
    summary: 'Import a CSV in one step (or only report what it would do, with dryRun)',
    csvBody: true,
    query: z.object({ invite: z.string().optional().transform((value) => (value === 'now' ? 'now' as const : 'later' as const)), dryRun: z.enum(['true', '1', 'false', '0']).optional() }),
    responses: { 200: reportSchema }, errors: [413],
    async handler({ req, runtime, query }) {
      const dryRun = query.dryRun === 'true' || query.dryRun === '1';
      return { body: await importMembers(runtime, csvOf(req), { actorId: ownerOf(req).actorId, invite: query.invite, dryRun, maxBytes: runtime.config.imports.maxBytes, req }) };
    },
  }),
  operation({
    id: 'uploadImport', method: 'post', path: '/admin/api/imports/uploads', tag: 'imports', permission: 'accounts:manage',
    summary: 'Upload a CSV to preview: nothing changes until it is applied (within an hour)',
    csvBody: true, query: z.object({ fileName: z.string().max(255).default('upload.csv') }),
    responses: { 201: withReport }, errors: [413],
    async handler({ req, runtime, query }) {
      const content = csvOf(req);
      const owner = ownerOf(req);
      const report = await importMembers(runtime, content, { actorId: owner.actorId, dryRun: true, listValidRows: true, maxBytes: runtime.config.imports.maxBytes, req });
      const kept = await keepUpload(runtime, owner, query.fileName, content, report, req);
      return { status: 201, body: { upload: publicUpload(runtime, kept), report: shortened(report) } };
    },
  }),
  operation({
    id: 'getImport', method: 'get', path: '/admin/api/imports/uploads/:id', tag: 'imports', permission: 'accounts:manage',
    summary: 'An uploaded file\'s state: previewed, applied or expired',
    params: idParams, responses: { 200: z.object({ upload: uploadSchema }) }, errors: [404],
    async handler({ req, runtime, params }) {
      return { body: { upload: publicUpload(runtime, await ownUpload(runtime, req, params.id)) } };
    },
  }),
  operation({
    id: 'previewImport', method: 'get', path: '/admin/api/imports/uploads/:id/preview', tag: 'imports', permission: 'accounts:manage',
    summary: 'What applying the uploaded file would do now, row by row',
    params: idParams, query: z.object({ invite: inviteWhen }), responses: { 200: withReport }, errors: [404, 409],
    async handler({ req, runtime, params, query }) {
      const upload = await ownUpload(runtime, req, params.id);
      const shown = publicUpload(runtime, upload);
      // What an applied or expired file "would do" is moot: it can no longer be applied.
      if (shown.state !== 'previewed') throw new AppError('conflict', `upload ${shown.state}`, `This upload is ${shown.state} and can no longer be applied: upload the file again to preview it.`);
      const report = await importMembers(runtime, Buffer.from(upload.content), {
        actorId: ownerOf(req).actorId, invite: query.invite, dryRun: true, listValidRows: true, maxBytes: runtime.config.imports.maxBytes, req,
      });
      return { body: { upload: shown, report: shortened(report) } };
    },
  }),
  operation({
    id: 'applyImport', method: 'post', path: '/admin/api/imports/uploads/:id/apply', tag: 'imports', permission: 'accounts:manage',
    summary: 'Apply an uploaded file, once',
    params: idParams, body: z.object({ invite: inviteWhen }), responses: { 200: withReport }, errors: [404],
    async handler({ req, runtime, params, body }) {
      const owner = ownerOf(req);
      const upload = isRowId(params.id) ? await takeUpload(runtime, params.id, owner) : null;
      if (!upload) throw new AppError('import_upload_missing', 'upload missing, expired, applied or not this caller\'s');
      try {
        const report = await importMembers(runtime, Buffer.from(upload.content), { actorId: owner.actorId, invite: body.invite, maxBytes: runtime.config.imports.maxBytes, req });
        return { body: { upload: publicUpload(runtime, upload), report } };
      } catch (error) {
        // As on the pages: committed batches stay, and the file is released to be applied again.
        await releaseUpload(runtime, upload.id);
        throw error;
      }
    },
  }),
];

