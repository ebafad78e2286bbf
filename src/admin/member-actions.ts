import type { Translate } from '../i18n/messages.js';
import type { Request } from 'express';
import { reissueAccessCode } from '../access-codes/admin.js';
import type { Config } from '../config/schema.js';
import { isRowId } from '../db/ids.js';
import type { MemberRow } from '../db/rows.js';
import { findMemberById } from '../members/lookup.js';
import { AppError } from '../http/errors.js';
import { deactivateMember } from '../members/deactivate.js';
import { inviteByEmployeeId } from '../members/invite-employee.js';
import { resendInvitation } from '../members/resend.js';
import { revokeInvitation } from '../members/revoke.js';
import { requireNewPassword, signOutEverywhere } from '../members/session-actions.js';
import type { Runtime } from '../runtime.js';
import { adminTargetRefusal, guardAdminTarget } from './admin-targets.js';
import { callerPermissions } from './caller-permissions.js';
import { sendRecoveryLinkFor } from '../recovery/admin.js';
import { issueRecoveryCode } from '../recovery/codes.js';
import { canRecoverPassword } from '../recovery/eligibility.js';

export const MEMBER_ACTIONS = ['resend', 'access-code', 'recovery-link', 'recovery-code', 'revoke', 'deactivate', 'sign-out-everywhere', 'require-new-password'] as const;
export type MemberAction = (typeof MEMBER_ACTIONS)[number];

export interface ActionChoice {
  path: MemberAction;
  label: string;
  /** The label in the catalogues (`locales/<lng>/admin.json`); `label` stays English for the API. */
  labelKey: string;
  /** Irreversible or disruptive: the page asks to confirm first. */
  danger: boolean;
}

/** What an admin can do to this member now, given its state and the claim methods switched on. */
export function availableActions(config: Config, member: MemberRow): ActionChoice[] {
  const choices: ActionChoice[] = [];
  const open = member.status === 'provisioned' || member.status === 'invited';
  if (open && member.email && config.claim.methods.link) {
    const resend = member.status === 'invited';
    choices.push({ path: 'resend', label: resend ? 'Resend invitation' : 'Send invitation', labelKey: resend ? 'admin.actions.resend' : 'admin.actions.send', danger: false });
  }
  if (open && member.employeeId && config.claim.methods.accessCode) {
    choices.push({ path: 'access-code', label: 'Issue a new access code', labelKey: 'admin.actions.access-code', danger: false });
  }
  if (canRecoverPassword(config, member) && member.email) choices.push({ path: 'recovery-link', label: 'Send a recovery link', labelKey: 'admin.actions.recovery-link', danger: false });
  if (canRecoverPassword(config, member) && member.employeeId && config.claim.methods.accessCode) {
    choices.push({ path: 'recovery-code', label: 'Issue a recovery code', labelKey: 'admin.actions.recovery-code', danger: false });
  }
  if (member.status === 'invited') choices.push({ path: 'revoke', label: 'Revoke invitation', labelKey: 'admin.actions.revoke', danger: true });
  if (member.status === 'claimed') choices.push({ path: 'sign-out-everywhere', label: 'Sign out everywhere', labelKey: 'admin.actions.sign-out-everywhere', danger: true });
  if (member.status === 'claimed' && member.loginMethod === 'password') {
    const again = Boolean(member.passwordChangeRequiredAt);
    choices.push({
      path: 'require-new-password', label: again ? 'Require a new password again' : 'Require a new password at next sign-in',
      labelKey: again ? 'admin.actions.require-new-password-again' : 'admin.actions.require-new-password', danger: false,
    });
  }
  if (member.status !== 'deactivated') choices.push({ path: 'deactivate', label: 'Deactivate', labelKey: 'admin.actions.deactivate', danger: true });
  return choices;
}

/**
 * What this caller may do to the member now: the actions its state offers, none without `accounts:manage`, and none
 * on an administrator account the caller may not manage (each would answer 403).
 */
export function callerActions(runtime: Runtime, req: Request, member: MemberRow): ActionChoice[] {
  if (!callerPermissions(runtime, req)?.has('accounts:manage')) return [];
  if (adminTargetRefusal(runtime, req, [member])) return [];
  return availableActions(runtime.config, member);
}

export interface ActionResult {
  action: MemberAction;
  memberId: string;
  /** Only for `sign-out-everywhere`: how many sessions ended. */
  sessionsEnded?: number;
  /** Only for `access-code`: the new code, to hand over; it is never shown again. */
  accessCode?: string;
  /** Only for `recovery-code`: the new code, to hand over; it is never shown again. */
  recoveryCode?: string;
  expiresAt?: string;
}

export async function performAction(runtime: Runtime, action: MemberAction, member: MemberRow, actorId: string, req: Request): Promise<ActionResult> {
  await guardAdminTarget(runtime, req, [member], action, member.id);
  switch (action) {
    case 'resend': {
      const sent = await resendInvitation(runtime, member.id, actorId, req);
      return { action, memberId: member.id, expiresAt: sent.expiresAt };
    }
    case 'access-code': {
      // As the CLI does it: an invited member's code is replaced (member.code_issued); a provisioned one is invited.
      const issued = member.status === 'invited'
        ? await reissueAccessCode(runtime, member.id, actorId, req)
        : await inviteByEmployeeId(runtime, { employeeId: member.employeeId ?? '', actorId, req });
      return { action, memberId: member.id, accessCode: issued.accessCode, expiresAt: issued.expiresAt };
    }
    case 'recovery-link': {
      const sent = await sendRecoveryLinkFor(runtime, member.id, actorId, req);
      return { action, memberId: member.id, expiresAt: sent.expiresAt };
    }
    case 'recovery-code': {
      const issued = await issueRecoveryCode(runtime, member.id, actorId, req);
      return { action, memberId: member.id, recoveryCode: issued.recoveryCode, expiresAt: issued.expiresAt };
    }
    case 'revoke':
      await revokeInvitation(runtime, member.id, actorId, req);
      return { action, memberId: member.id };
    case 'deactivate':
      if (member.id === actorId) throw new AppError('validation_failed', 'self-deactivation', 'You cannot deactivate your own account.', 'admin.member.selfDeactivate');
      await deactivateMember(runtime, member.id, actorId, req);
      return { action, memberId: member.id };
    case 'sign-out-everywhere':
      return { action, memberId: member.id, sessionsEnded: await signOutEverywhere(runtime, member.id, actorId, req) };
    case 'require-new-password':
      await requireNewPassword(runtime, member.id, actorId, req);
      return { action, memberId: member.id };
  }
}

/** The question names the member, so an admin with several tabs open revokes the one they meant. */
export const CONFIRMATIONS: Record<'revoke' | 'deactivate' | 'sign-out-everywhere', (who: string, t: Translate) => { question: string; consequence: string; confirmLabel: string }> = {
  revoke: (who, t) => ({
    question: t('admin.confirm.revokeQuestion', { who }),
    consequence: t('admin.confirm.revokeConsequence'),
    confirmLabel: t('admin.confirm.revokeButton'),
  }),
  deactivate: (who, t) => ({
    question: t('admin.confirm.deactivateQuestion', { who }),
    consequence: t('admin.confirm.deactivateConsequence'),
    confirmLabel: t('admin.confirm.deactivateButton'),
  }),
  'sign-out-everywhere': (who, t) => ({
    question: t('admin.confirm.signOutQuestion', { who }),
    consequence: t('admin.confirm.signOutConsequence'),
    confirmLabel: t('admin.confirm.signOutButton'),
  }),
};

/**
 * The member and action a request names, when the action is one the member's state allows: unknown ids and actions
 * are 404, an action the state does not allow is 409 `member_action_unavailable`.
 */
export async function resolveMemberAction(runtime: Runtime, id: string, action: string): Promise<{ member: MemberRow; action: MemberAction }> {
  const member = isRowId(id) && (MEMBER_ACTIONS as readonly string[]).includes(action) ? await findMemberById(runtime.db, id) : null;
  if (!member) throw new AppError('not_found', 'no such member or action');
  const offers = (who: MemberRow) => availableActions(runtime.config, who).some((choice) => choice.path === action);
  if (!offers(member)) {
    // When an employee ID is all the member lacks for this action (codes are typed with it), that is the reason given.
    if (!member.employeeId && offers({ ...member, employeeId: 'any' })) {
      throw new AppError('member_action_unavailable', `${action} needs an employee id`, 'This action needs an employee ID, and this member has none. Add one first.', 'admin.member.needsEmployeeId');
    }
    throw new AppError('member_action_unavailable', `${action} not available for a ${member.status} member`, `That action is not available for a ${member.status} member.`,
      'admin.member.unavailable', { status: member.status });
  }
  return { member, action: action as MemberAction };
}
