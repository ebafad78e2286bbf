import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { csrfProtection } from '../../http/csrf.js';
import { caseSensitiveRouter } from '../../http/router.js';
import { AppError } from '../../http/errors.js';
import { openDirectExport } from '../../export-jobs/direct.js';
import { downloadUrl } from '../../export-jobs/download-link.js';
import { authorizeDownload, recordDownload, sendExportFile } from '../../export-jobs/download.js';
import { exportFilterSchema } from '../../export-jobs/filter.js';
import { requestExport } from '../../export-jobs/request.js';
import { ACCESS_CODES_EXPORT } from '../../export-jobs/requested.js';
import type { Runtime } from '../../runtime.js';
import type { AdminGuards } from '../guards.js';
import { ownerOf } from '../api-caller.js';
import { adminTime, renderAdmin } from '../render-admin.js';

const STATUSES = ['all', 'provisioned', 'invited', 'claimed', 'deactivated'];

/** The download link's lifetime in whole hours, or minutes when shorter than an hour, for the catalogue's plurals. */
function linkLifetime(millis: number): { unit: 'hours' | 'minutes'; count: number } {
  return millis >= 3_600_000 ? { unit: 'hours', count: Math.round(millis / 3_600_000) } : { unit: 'minutes', count: Math.max(1, Math.round(millis / 60_000)) };
}

export function exportPages(runtime: Runtime, guards: AdminGuards) {
  const router = caseSensitiveRouter();

  router.get('/admin/export', ...guards.manage, async (req, res) => {
    const { db, config, keys } = runtime;
    const now = runtime.now();
    const jobs = await db.source.manager.find(db.entities.ExportJob, { where: { adminId: req.member!.id }, order: { createdAt: 'DESC' }, take: 20 });
    renderAdmin(runtime, req, res, 'admin/export.njk', 'export', {
      title: 'admin.export.title',
      statuses: STATUSES,
      linkTtl: linkLifetime(config.exports.linkTtl),
      notice: req.query.requested ? req.t('admin.export.requested') : undefined,
      jobs: jobs.map((job) => {
        const expired = job.expiresAt.getTime() <= now.getTime();
        const filter = JSON.parse(job.filter) as { status: string; search: string };
        return {
          createdAt: adminTime(job.createdAt), state: job.state, rowCount: job.state === 'ready' ? job.rowCount : '',
          status: filter.status, search: filter.search, expired,
          url: job.state === 'ready' && !expired ? downloadUrl(config.baseUrl, keys.exportLink, job) : null,
          expiresAt: adminTime(job.expiresAt),
        };
      }),
    });
  });

  router.post('/admin/export', ...guards.manage, csrfProtection, guards.exportQuota, async (req, res) => {
    const parsed = exportFilterSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw new AppError('validation_failed', 'bad export filter', req.t('admin.export.badFilter'));
    await requestExport(runtime, ownerOf(req), parsed.data, req);
    res.redirect(303, '/admin/export?requested=1');
  });

  // Access codes for printing: a short list (invited members without a claim link), answered at once as a file, to
  // the admin who asked, never mailed.
  router.post('/admin/export/access-codes', ...guards.manage, csrfProtection, guards.exportQuota, async (req, res) => {
    const csv = await openDirectExport(runtime, ACCESS_CODES_EXPORT, req.member!.id, req);
    res.status(200).set({
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="access-codes-${runtime.now().toISOString().slice(0, 10)}.csv"`,
      'Cache-Control': 'no-store',
    });
    await pipeline(Readable.from(csv), res);
  });

  router.get('/admin/exports/:id/download', ...guards.manage, async (req, res) => {
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    const job = await authorizeDownload(runtime, String(req.params.id), token, req.member!, req);
    await recordDownload(runtime, job, req.member!.id, req);
    await sendExportFile(runtime, job, res);
  });

  return router;
}
