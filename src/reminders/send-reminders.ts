import { claimUrl } from '../claim/links.js';
import { usableLinkSql } from '../claim/usable-link.js';
import { isUniqueViolation } from '../db/errors.js';
import type { ClaimLinkRow, MemberRow } from '../db/rows.js';
import { memberMailLocals } from '../mail/member-mail.js';
import { displayName } from '../members/lookup.js';
import type { Runtime } from '../runtime.js';
import { issuedWindow } from './due.js';

const BATCH = 500;

interface DueLink {
  link: ClaimLinkRow;
  member: MemberRow;
}

async function dueLinks(runtime: Runtime, day: number): Promise<DueLink[]> {
  const { db, config } = runtime;
  const now = runtime.now();
  const window = issuedWindow(config.reminders.days, day, now);
  const query = db.source.manager
    .createQueryBuilder(db.entities.ClaimLink, 'c')
    .innerJoinAndMapOne('c.member', 'Member', 'm', 'm.id = c.member_id')
    .where('m.email IS NOT NULL')
    .andWhere(usableLinkSql('c', ':now', 'm'), { now })
    .andWhere('c.created_at <= :until', { until: window.until })
    .andWhere('NOT EXISTS (SELECT 1 FROM reminders_sent r WHERE r.link_id = c.id AND r.day = :day)', { day })
    .orderBy('c.created_at', 'ASC')
    .limit(BATCH);
  if (window.from) query.andWhere('c.created_at > :from', { from: window.from });
  const links = (await query.getMany()) as Array<ClaimLinkRow & { member: MemberRow }>;
  return links.map(({ member, ...link }) => ({ link, member }));
}

/** Claims (link, day) for this process. The primary key makes the claim atomic: with many replicas, one wins. */
async function claimReminder(runtime: Runtime, due: DueLink, day: number): Promise<boolean> {
  const { db } = runtime;
  try {
    await db.transaction((manager) => manager.insert(db.entities.ReminderSent, { linkId: due.link.id, day, memberId: due.member.id, sentAt: runtime.now() }));
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

async function send(runtime: Runtime, due: DueLink): Promise<void> {
  const { config, keys } = runtime;
  const language = memberMailLocals(runtime, due.member);
  const locals = { ...language, name: displayName(due.member), url: claimUrl(config.baseUrl, keys.claimLink, due.link.id), expiresAt: language.formatDate(due.link.expiresAt) };
  await runtime.mailer.send({
    to: due.member.email!,
    subject: language.t('mail.reminder.subject'),
    text: runtime.textViews.render('mail/reminder.txt.njk', locals),
    html: runtime.views.render('mail/reminder.html.njk', locals),
  });
}

/**
 * Reminds invited members who have not claimed yet, once per configured day, with the link they already have (a
 * reminder never re-issues: an exported link keeps working). A re-issued link starts its own reminders.
 * Returns how many reminders this call sent.
 */
export async function sendDueReminders(runtime: Runtime): Promise<number> {
  const { config, db, logger, audit } = runtime;
  if (!config.reminders.enabled || !config.claim.methods.link) return 0;
  let sent = 0;
  for (const day of [...new Set(config.reminders.days)].sort((a, b) => a - b)) {
    for (;;) {
      const batch = await dueLinks(runtime, day);
      let sentNow = 0;
      for (const due of batch) {
        if (!(await claimReminder(runtime, due, day))) continue;
        try {
          await send(runtime, due);
        } catch (error) {
          // Give the slot back so a later run tries again.
          await db.source.manager.delete(db.entities.ReminderSent, { linkId: due.link.id, day });
          logger.error({ err: error, memberId: due.member.id, day }, 'reminder not sent');
          await audit({ event: 'member.reminded', outcome: 'failure', memberId: due.member.id, method: 'link', details: { day } });
          continue;
        }
        // Sent: the slot stays taken whatever happens to the audit row, so the mail never goes out twice.
        sentNow += 1;
        await audit({ event: 'member.reminded', memberId: due.member.id, method: 'link', details: { day } });
      }
      sent += sentNow;
      // A full batch in which nothing went out (mail down, or another replica took them) is not worth repeating now.
      if (batch.length < BATCH || !sentNow) break;
    }
  }
  return sent;
}
