import type { ExportJobRow } from '../db/rows.js';
import { memberMailLocals } from '../mail/member-mail.js';
import { displayName, findMemberById } from '../members/lookup.js';
import type { Runtime } from '../runtime.js';
import { downloadUrl } from './download-link.js';

export async function sendExportReady(runtime: Runtime, job: ExportJobRow): Promise<void> {
  // A token's export waits to be fetched through the API: there is nobody to mail.
  if (!job.adminId) return;
  const admin = await findMemberById(runtime.db, job.adminId);
  if (!admin?.email) {
    runtime.logger.warn({ exportId: job.id }, 'export ready but its admin has no email to send the link to');
    return;
  }
  // The administrator's own language, like every mail to a member.
  const language = memberMailLocals(runtime, admin);
  const locals = {
    ...language, name: displayName(admin), rows: job.rowCount, expiresAt: language.formatDate(job.expiresAt),
    url: downloadUrl(runtime.config.baseUrl, runtime.keys.exportLink, job),
  };
  await runtime.mailer.send({
    to: admin.email,
    subject: language.t('admin.exportMail.subject'),
    text: runtime.textViews.render('mail/export-ready.txt.njk', locals),
    html: runtime.views.render('mail/export-ready.html.njk', locals),
  });
}
