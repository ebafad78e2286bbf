import { configuredPermissions, type Identity } from '../admin/admin-targets.js';
import type { Config } from '../config/schema.js';
import type { MemberRow } from '../db/rows.js';
import { ScimError } from './errors.js';

/** What a SCIM write would do to an account that already exists. */
export interface AccountChange {
  before: MemberRow;
  /** The identity the account would have after the write. */
  after: Identity;
  /** Whether the write deactivates, reactivates or deletes the account. */
  changesAccess: boolean;
}

const refusal = () =>
  new ScimError(403, 'an administrator account is not created, and its email, employee ID and active state are not changed, by SCIM', undefined, 'administrator_account');

/**
 * An IdP keeps an administrator's profile in step, but never decides who an administrator account is or whether it
 * signs in. A new email or employee ID would make another member an administrator, or send an administrator's
 * recovery mail elsewhere; a deactivation would lock the administrator out. Either would let whoever holds the SCIM
 * token gain or take away what only a signed-in administrator may. An account counts when `admins` names it before
 * or after the write.
 */
export function refuseAdministratorChange(config: Config, { before, after, changesAccess }: AccountChange): void {
  const named = configuredPermissions(config, [before, after]).size > 0;
  if (!named) return;
  const identityChanges = after.emailNormalized !== before.emailNormalized || after.employeeId !== before.employeeId;
  if (identityChanges || changesAccess) throw refusal();
}

/**
 * Nor does SCIM create an account that `admins` names: an employee ID named there, on a member whose claim link goes
 * to the token holder's own address, would make that address an administrator once claimed.
 */
export function refuseAdministratorAccount(config: Config, created: Identity): void {
  if (configuredPermissions(config, [created]).size > 0) throw refusal();
}
