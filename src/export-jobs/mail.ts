import type { ExportJobRow } from '../db/rows.js';
import { displayName, findMemberById } from '../members/lookup.js';
import type { Runtime } from '../runtime.js';
import { downloadUrl } from './download-link.js';

export async function sendExportReady(runtime: Runtime, job: ExportJobRow): Promise<void> {
  const admin = await findMemberById(runtime.db, job.adminId);
  if (!admin?.email) {
    runtime.logger.warn({ exportId: job.id }, 'export ready but its admin has no email to send the link to');
    return;
  }
  const locals = {
    name: displayName(admin), rows: job.rowCount, expiresAt: job.expiresAt.toUTCString(),
    url: downloadUrl(runtime.config.baseUrl, runtime.keys.exportLink, job),
  };
  await runtime.mailer.send({
    to: admin.email,
    subject: 'Your member export is ready',
    text: runtime.textViews.render('mail/export-ready.txt.njk', locals),
    html: runtime.views.render('mail/export-ready.html.njk', locals),
  });
}
