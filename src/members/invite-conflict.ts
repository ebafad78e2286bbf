import type { MemberRow } from '../db/rows.js';
import { AppError } from '../http/errors.js';

/**
 * The API's invite is safe to retry: an email or employee ID that already belongs to an invited, claimed or
 * deactivated member answers 409 and changes nothing (no new link, no mail, no renamed member). Sending the invitation
 * again is `resend`'s job. A provisioned member (imported, not yet invited) is invited as usual.
 */
export function refuseExistingInvitee(input: { email?: string; employeeId?: string }, existing: MemberRow | null): void {
  if (!existing || existing.status === 'provisioned') return;
  const who = input.email ? input.email.trim() : `Employee ${existing.employeeId ?? input.employeeId}`;
  throw new AppError('conflict', `invitee is already member ${existing.id} (${existing.status})`,
    `${who} is already member ${existing.id} (${existing.status}). To send the invitation again, POST /admin/api/members/${existing.id}/resend.`);
}
