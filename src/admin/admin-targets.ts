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

/** Who acts on administrator accounts: a signed-in person's permissions or a service token's; null is the CLI. */
export type AdminManager = { permissions: Set<Permission>; token: boolean } | null;

export function managerOf(runtime: Runtime, req: Request | undefined): AdminManager {
  const permissions = callerPermissions(runtime, req);
  return permissions && { permissions, token: Boolean(req!.serviceToken) };
}

/**
 * Why `manager` may not manage (or hold the claim link or code of) an account granted `target`, or null. An
 * administrator's account is managed only by a signed-in person holding every permission it holds: a service token,
 * or a narrower administrator, could otherwise claim it, lock its owner out or reset its password, and so gain what
 * it lacks.
 */
export function adminRefusal(manager: AdminManager, target: Set<Permission>): string | null {
  if (!manager || !target.size) return null;
  if (manager.token) return 'an administrator account is not managed with a service token';
  const missing = [...target].filter((permission) => !manager.permissions.has(permission));
  return missing.length ? `the administrator account holds ${missing.join(', ')}, which the caller lacks` : null;
}

/** Why this caller may not manage an account with these identities, or null. No request: the CLI. */
export function adminTargetRefusal(runtime: Runtime, req: Request | undefined, identities: Identity[]): string | null {
  return adminRefusal(managerOf(runtime, req), configuredPermissions(runtime.config, identities));
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
