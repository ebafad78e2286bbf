import type { Request } from 'express';
import type { Config, Permission } from '../config/schema.js';
import type { MemberRow } from '../db/rows.js';
import { AppError } from '../http/errors.js';
import type { Runtime } from '../runtime.js';
import { actorOf } from './api-caller.js';
import { callerPermissions } from './caller-permissions.js';
import { permissionsOf } from './permissions.js';

export type Identity = Partial<Pick<MemberRow, 'emailNormalized' | 'employeeId'>>;

/**
 * What `admins` grants whoever holds one of these identities, whatever their state: an invited, provisioned or
 * deactivated account named there becomes an administrator the moment it is claimed or reactivated.
 */
export function configuredPermissions(config: Config, identities: Identity[]): Set<Permission> {
  const granted = new Set<Permission>();
  for (const identity of identities) {
    const member = { emailNormalized: identity.emailNormalized ?? '', employeeId: identity.employeeId ?? null, status: 'claimed' as const };
    for (const permission of permissionsOf(config, member)) granted.add(permission);
  }
  return granted;
}

/**
 * Why this caller may not manage an account with these identities, or null. An administrator's account is managed
 * only by a signed-in person holding every permission it holds: a service token, or a narrower administrator, could
 * otherwise claim it, lock its owner out or reset its password, and so gain what it lacks. No request: the CLI.
 */
export function adminTargetRefusal(runtime: Runtime, req: Request | undefined, identities: Identity[]): string | null {
  const caller = callerPermissions(runtime, req);
  if (!caller) return null;
  const target = configuredPermissions(runtime.config, identities);
  if (!target.size) return null;
  if (req!.serviceToken) return 'an administrator account is not managed with a service token';
  const missing = [...target].filter((permission) => !caller.has(permission));
  return missing.length ? `the administrator account holds ${missing.join(', ')}, which the caller lacks` : null;
}

/** Refuses (403, audited as `admin.access_denied`) a change to an administrator account the caller may not manage. */
export async function guardAdminTarget(runtime: Runtime, req: Request | undefined, identities: Identity[], change: string, targetId: string | null): Promise<void> {
  const refusal = adminTargetRefusal(runtime, req, identities);
  if (!refusal) return;
  await runtime.audit({
    event: 'admin.access_denied', outcome: 'failure', actorId: actorOf(req!), memberId: req!.member?.id ?? null, req,
    details: { reason: 'administrator account', refusal, change, targetId },
  });
  throw new AppError('forbidden', `${change} refused: ${refusal}`,
    'Only a signed-in administrator holding at least the same permissions can manage an administrator account.',
    'errors.forbidden_admin_account.message');
}
