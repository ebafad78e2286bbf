import type { MemberRow } from '../db/rows.js';
import type { Runtime } from '../runtime.js';
import { memberMailLocals } from '../mail/member-mail.js';
import { displayName } from './lookup.js';

export async function sendInvitation(runtime: Runtime, member: MemberRow, url: string, expiresAt: Date): Promise<void> {
  if (!member.email) return;
  const language = memberMailLocals(runtime, member);
  const locals = { ...language, name: displayName(member), url, expiresAt: language.formatDate(expiresAt), baseUrl: runtime.config.baseUrl };
  await runtime.mailer.send({
    to: member.email,
    subject: language.t('mail.invitation.subject'),
    text: runtime.textViews.render('mail/invitation.txt.njk', locals),
    html: runtime.views.render('mail/invitation.html.njk', locals),
  });
}
