import type { Request } from 'express';
import type { FieldError } from '../claim/steps/step.js';
import type { LoginMethod, MemberRow } from '../db/rows.js';
import { inviteByEmployeeId } from '../members/invite-employee.js';
import { inviteByEmail } from '../members/invite.js';
import { normalizeEmail, normalizeEmployeeId } from '../members/normalize.js';
import type { Runtime } from '../runtime.js';
import { guardAdminTarget, type Identity } from './admin-targets.js';
import { refuseExistingInvitee } from '../members/invite-conflict.js';

export interface InviteForm {
  email?: string;
  employeeId?: string;
  name?: string;
  loginMethod?: LoginMethod;
}

const text = (value: unknown, max: number) => (typeof value === 'string' ? value.trim().slice(0, max) : '');

/** Reads the invite form (or API body): an email or an employee ID, not both. Error messages are catalogue keys. */
export function readInviteForm(body: unknown): { input: InviteForm; values: Record<string, string> } | { errors: FieldError[]; values: Record<string, string> } {
  const source = (body ?? {}) as Record<string, unknown>;
  const values = {
    email: text(source.email, 320), employeeId: text(source.employeeId, 64), name: text(source.name, 200), loginMethod: text(source.loginMethod, 16),
  };
  const errors: FieldError[] = [];
  if (!values.email && !values.employeeId) errors.push({ field: 'email', message: 'admin.invite.errors.none' });
  if (values.email && values.employeeId) errors.push({ field: 'employeeId', message: 'admin.invite.errors.both' });
  if (values.loginMethod && values.loginMethod !== 'password' && values.loginMethod !== 'sso') {
    errors.push({ field: 'loginMethod', message: 'admin.invite.errors.loginMethod' });
  }
  if (errors.length) return { errors, values };
  return {
    values,
    input: {
      email: values.email || undefined, employeeId: values.employeeId || undefined, name: values.name || undefined,
      loginMethod: (values.loginMethod || undefined) as LoginMethod | undefined,
    },
  };
}

export interface InvitedOne {
  id: string;
  email?: string;
  employeeId?: string;
  status: string;
  claimUrl?: string;
  accessCode?: string;
  expiresAt: string;
}

/**
 * Invites one member. `refuseExisting` (the API) answers 409 for an address or ID an invited, claimed or deactivated
 * member already holds, so a retried request changes nothing; the pages and the CLI invite again on purpose.
 */
export async function inviteOne(runtime: Runtime, input: InviteForm, actorId: string, req: Request, options: { refuseExisting?: boolean } = {}): Promise<InvitedOne> {
  const { named, existing } = await findInvitee(runtime, input);
  // Answered before the administrator-account guard, and again by the write itself, which a concurrent invite may
  // have overtaken since.
  if (options.refuseExisting) refuseExistingInvitee(input, existing);
  await guardAdminTarget(runtime, req, existing ? [named, existing] : [named], 'invite', null);
  const reissue = !options.refuseExisting;
  if (input.email) {
    const result = await inviteByEmail(runtime, { email: input.email, name: input.name, loginMethod: input.loginMethod, actorId, req, reissue });
    return { id: result.id, email: result.email, status: result.status, claimUrl: result.claimUrl, expiresAt: result.expiresAt };
  }
  const result = await inviteByEmployeeId(runtime, { employeeId: input.employeeId!, name: input.name, actorId, req, reissue });
  return { id: result.id, employeeId: result.employeeId, status: result.status, accessCode: result.accessCode, expiresAt: result.expiresAt };
}

/** Who an invitation would reach: the address or ID named, and the member already holding it. */
async function findInvitee(runtime: Runtime, input: InviteForm): Promise<{ named: Identity; existing: MemberRow | null }> {
  const employeeId = input.employeeId ? normalizeEmployeeId(input.employeeId) : undefined;
  const named: Identity = input.email ? { emailNormalized: normalizeEmail(input.email) } : { employeeId: employeeId ?? null };
  const { db } = runtime;
  const existing = named.emailNormalized
    ? await db.source.manager.findOneBy(db.entities.Member, { emailNormalized: named.emailNormalized })
    : employeeId ? await db.source.manager.findOneBy(db.entities.Member, { employeeId }) : null;
  return { named, existing };
}
