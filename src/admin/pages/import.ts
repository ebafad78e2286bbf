import { isRowId } from '../../db/ids.js';
import type { NextFunction, Request, Response } from 'express';
import multer from 'multer';
import { AppError } from '../../http/errors.js';
import { csrfBeforeBody, csrfProtection } from '../../http/csrf.js';
import { caseSensitiveRouter } from '../../http/router.js';
import { importMembers } from '../../import/import-members.js';
import type { Runtime } from '../../runtime.js';
import type { AdminGuards } from '../guards.js';
import { keepUpload, releaseUpload, takeUpload } from '../import-uploads.js';
import { renderAdmin } from '../render-admin.js';
import { ownerOf } from '../api-caller.js';

const PREVIEW_ROWS = 500;

export function importPages(runtime: Runtime, guards: AdminGuards) {
  const router = caseSensitiveRouter();
  const { maxBytes } = runtime.config.imports;
  const maxSize = maxBytes >= 1024 * 1024 ? `${Math.round(maxBytes / 1024 / 1024)} MB` : `${Math.round(maxBytes / 1024)} KB`;
  const uploadPage = (req: Request, res: Response, message?: string, status = 200, params?: Record<string, unknown>) =>
    renderAdmin(runtime, req, res, 'admin/import.njk', 'import', {
      title: 'admin.import.title', maxSize, errors: message ? [{ field: 'file', message, params }] : [],
    }, status);

  const receive = multer({ storage: multer.memoryStorage(), limits: { fileSize: maxBytes, files: 1, fields: 5, fieldSize: 1024, parts: 6 } }).single('file');
  /** An oversized or missing file is an error on the upload page, not a crash; nothing is read or kept. */
  const upload = (req: Request, res: Response, next: NextFunction) => {
    if (!req.is('multipart/form-data')) return uploadPage(req, res, 'admin.import.chooseFile', 400);
    csrfBeforeBody(req, res, (refusal?: unknown) => {
      if (refusal) return next(refusal);
      receive(req, res, (error: unknown) => {
        if ((error as { code?: string })?.code === 'LIMIT_FILE_SIZE') return uploadPage(req, res, 'admin.import.tooLarge', 413, { size: maxSize });
        next(error);
      });
    });
  };

  router.get('/admin/import', ...guards.manage, (req, res) => uploadPage(req, res));

  router.post('/admin/import', ...guards.manage, upload, csrfProtection, async (req, res) => {
    const file = req.file;
    if (!file || !file.size) return uploadPage(req, res, 'admin.import.chooseFile', 400);
    let report;
    try {
      report = await importMembers(runtime, file.buffer, { actorId: req.member!.id, dryRun: true, listValidRows: true, maxBytes, req });
    } catch (error) {
      if (error instanceof AppError && error.status < 500) return uploadPage(req, res, error.messageKey ?? error.publicMessage, error.status, error.messageParams);
      throw error;
    }
    const kept = await keepUpload(runtime, ownerOf(req), file.originalname || 'upload.csv', file.buffer, report, req);
    const validRows = report.validRows ?? [];
    renderAdmin(runtime, req, res, 'admin/import-preview.njk', 'import', {
      title: 'admin.import.checkTitle', fileName: kept.fileName, uploadId: kept.id, report,
      validRows: validRows.slice(0, PREVIEW_ROWS), validRowsCut: validRows.length > PREVIEW_ROWS,
    });
  });

  router.post('/admin/import/:id', ...guards.manage, csrfProtection, async (req, res) => {
    const id = String(req.params.id);
    const invite = (req.body as Record<string, unknown>)?.invite === 'now' ? 'now' : 'later';
    const upload = isRowId(id) ? await takeUpload(runtime, id, ownerOf(req)) : null;
    if (!upload) throw new AppError('import_upload_missing', 'upload missing, expired, applied or not this admin\'s');
    let report;
    try {
      report = await importMembers(runtime, Buffer.from(upload.content), { actorId: req.member!.id, invite, maxBytes, req });
    } catch (error) {
      // Batches already committed stay (re-applying updates them, and re-invites with the same links); the file
      // is released so the admin can apply it again once the cause is fixed.
      await releaseUpload(runtime, upload.id);
      throw error;
    }
    renderAdmin(runtime, req, res, 'admin/import-done.njk', 'import', { title: 'admin.import.doneTitle', report });
  });

  return router;
}
