import type { MemberRow } from '../db/rows.js';
import { displayName } from '../members/lookup.js';
import type { Runtime } from '../runtime.js';

export async function sendRecoveryMail(runtime: Runtime, member: MemberRow, url: string, expiresAt: Date): Promise<void> {
  if (!member.email) return;
  const locals = {
    name: displayName(member), url, expiresAt: expiresAt.toUTCString(), baseUrl: runtime.config.baseUrl,
    minutes: Math.round(runtime.config.recovery.linkTtl / 60000),
  };
  await runtime.mailer.send({
    to: member.email,
    subject: 'Choose a new password',
    text: runtime.textViews.render('mail/recovery.txt.njk', locals),
    html: runtime.views.render('mail/recovery.html.njk', locals),
  });
}
