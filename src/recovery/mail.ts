import type { MemberRow } from '../db/rows.js';
import { memberMailLocals } from '../mail/member-mail.js';
import { displayName } from '../members/lookup.js';
import type { Runtime } from '../runtime.js';

export async function sendRecoveryMail(runtime: Runtime, member: MemberRow, url: string, expiresAt: Date): Promise<void> {
  if (!member.email) return;
  const language = memberMailLocals(runtime, member);
  const locals = {
    ...language, name: displayName(member), url, expiresAt: language.formatDate(expiresAt), baseUrl: runtime.config.baseUrl,
    minutes: Math.round(runtime.config.recovery.linkTtl / 60000),
  };
  await runtime.mailer.send({
    to: member.email,
    subject: language.t('mail.recovery.subject'),
    text: runtime.textViews.render('mail/recovery.txt.njk', locals),
    html: runtime.views.render('mail/recovery.html.njk', locals),
  });
}
