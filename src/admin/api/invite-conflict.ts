import type { Runtime } from '../../runtime.js';
import { AppError } from '../../http/errors.js';
import { findMemberByEmail } from '../../members/lookup.js';
import { normalizeEmployeeId } from '../../members/normalize.js';
import type { InviteForm } from '../invite-one.js';

/**
 * The API's invite is safe to retry: an email or employee ID that already belongs to an invited, claimed or
 * deactivated member answers 409 and changes nothing (no new link, no mail, no renamed member). Sending the invitation
 * again is `resend`'s job. A provisioned member (imported, not yet invited) is invited as usual.
 */
export async function refuseExistingInvitee(runtime: Runtime, input: InviteForm): Promise<void> {
  const { db } = runtime;
  const employeeId = input.employeeId ? normalizeEmployeeId(input.employeeId) : undefined;
  const existing = input.email
    ? await findMemberByEmail(db, input.email.trim())
    : employeeId ? await db.source.manager.findOneBy(db.entities.Member, { employeeId }) : null;
  if (!existing || existing.status === 'provisioned') return;
  const who = input.email ? input.email.trim() : `Employee ${employeeId}`;
  throw new AppError('conflict', `invitee is already member ${existing.id} (${existing.status})`,
    `${who} is already member ${existing.id} (${existing.status}). To send the invitation again, POST /admin/api/members/${existing.id}/resend.`);
}
