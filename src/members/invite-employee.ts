import { newMemberRow } from './new-member.js';
import type { Request } from 'express';
import { issueAccessCode } from '../access-codes/codes.js';
import type { MemberRow } from '../db/rows.js';
import { AppError } from '../http/errors.js';
import type { Runtime } from '../runtime.js';
import { inviteOnce, saveInvitedMember } from './invited-member.js';
import { refuseExistingInvitee } from './invite-conflict.js';
import { normalizeEmployeeId } from './normalize.js';

export interface EmployeeInviteResult {
  id: string;
  employeeId: string;
  name: string | null;
  status: MemberRow['status'];
  accessCode: string;
  expiresAt: string;
  created: boolean;
}

/**
 * Invites a member who has no email: created (or found) by employee ID, given a fresh access code
 * (any older code dies). The code is returned to print and hand over; it is stored only as a keyed hash.
 */
export async function inviteByEmployeeId(
  runtime: Runtime,
  input: { employeeId: string; name?: string; actorId: string; req?: Request; reissue?: boolean },
): Promise<EmployeeInviteResult> {
  const { db, config, keys, audit } = runtime;
  if (!config.claim.methods.accessCode) throw new AppError('validation_failed', 'access codes off', 'Access codes are switched off in the configuration (claim.methods.accessCode).', 'admin.invite.errors.codesOff');
  const employeeId = normalizeEmployeeId(input.employeeId);
  if (!employeeId) throw new AppError('validation_failed', 'bad employee id', 'An employee ID is 1 to 64 letters, digits, dots, dashes or underscores.', 'admin.invite.errors.badEmployeeId');
  const now = runtime.now();
  const reissue = input.reissue ?? true;
  const find = () => db.source.manager.findOneBy(db.entities.Member, { employeeId });
  const existing = await find();
  if (!reissue) refuseExistingInvitee({ employeeId }, existing);
  if (existing && (existing.status === 'claimed' || existing.status === 'deactivated')) {
    throw new AppError('validation_failed', `member is ${existing.status}`, `Employee ${employeeId} is ${existing.status} and cannot be invited.`, `admin.invite.errors.${existing.status === 'claimed' ? 'employeeClaimed' : 'employeeDeactivated'}`, { employeeId });
  }
  const name = input.name?.trim() || existing?.name || null;
  const { member, issued } = await inviteOnce(reissue, { employeeId }, find, () => db.transaction(async (manager) => {
    const member = await saveInvitedMember(db, manager, existing, () => newMemberRow({ employeeId, name, status: 'invited', invitedAt: now }, now), { name }, now, reissue);
    const issued = await issueAccessCode(db, keys, manager, member.id, config.claim.accessCodeTtl, now);
    if (!existing) await audit({ event: 'member.provisioned', actorId: input.actorId, memberId: member.id, req: input.req }, manager);
    await audit({ event: 'member.invited', actorId: input.actorId, memberId: member.id, method: 'code', req: input.req, details: { reissued: existing?.status === 'invited', resent: false } }, manager);
    return { member, issued };
  }));
  return {
    id: member.id, employeeId, name: member.name, status: member.status, accessCode: issued.code,
    expiresAt: issued.row.expiresAt.toISOString(), created: !existing,
  };
}
