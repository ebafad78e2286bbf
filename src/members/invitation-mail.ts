import type { MemberRow } from '../db/rows.js';
import type { Runtime } from '../runtime.js';
import { displayName } from './lookup.js';

export async function sendInvitation(runtime: Runtime, member: MemberRow, url: string, expiresAt: Date): Promise<void> {
  if (!member.email) return;
  const locals = { name: displayName(member), url, expiresAt: expiresAt.toUTCString(), baseUrl: runtime.config.baseUrl };
  await runtime.mailer.send({
    to: member.email,
    subject: 'You are invited: claim your account',
    text: runtime.textViews.render('mail/invitation.txt.njk', locals),
    html: runtime.views.render('mail/invitation.html.njk', locals),
  });
}
