import type { Config } from '../config/schema.js';
import { adminRefusal, type AdminManager } from '../admin/admin-targets.js';
import { entryName, entryPermissions } from '../admin/permissions.js';

/**
 * The `admins` names (emails, lower-case employee IDs) whose claim links and access codes an export leaves out: those
 * of accounts the requester could not manage (see admin-targets). Such a credential would let the requester claim a
 * stronger account. The CLI (null) gets everything.
 */
export function withheldAdminNames(config: Config, requester: AdminManager): string[] {
  return config.admins.filter((entry) => adminRefusal(requester, entryPermissions(entry))).map(entryName);
}

/** Whether a member is named by one of these names (as `permissionsOf` matches them). */
export function namedBy(names: string[], member: { emailNormalized: string | null; employeeId: string | null }): boolean {
  return names.includes(member.emailNormalized ?? '') || names.includes(member.employeeId?.toLowerCase() ?? '');
}
