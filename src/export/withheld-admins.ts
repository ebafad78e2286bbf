import type { Config, Permission } from '../config/schema.js';
import { PERMISSIONS } from '../config/schema.js';

/**
 * The `admins` names (emails, lower-case employee IDs) whose claim links and access codes an export leaves out: those
 * holding a permission the requester lacks. Such a credential would let the requester claim a stronger account.
 * Null requester: the CLI, the local operator, who gets everything.
 */
export function withheldAdminNames(config: Config, requester: Set<Permission> | null): string[] {
  if (!requester) return [];
  return config.admins.flatMap((entry) => {
    const granted = new Set<Permission>(typeof entry === 'string' ? PERMISSIONS : entry.permissions);
    if (granted.has('accounts:manage')) granted.add('accounts:read');
    const covered = [...granted].every((permission) => requester.has(permission));
    return covered ? [] : [typeof entry === 'string' ? entry : entry.member];
  });
}

/** Whether a member is named by one of these names (as `permissionsOf` matches them). */
export function namedBy(names: string[], member: { emailNormalized: string | null; employeeId: string | null }): boolean {
  return names.includes(member.emailNormalized ?? '') || names.includes(member.employeeId?.toLowerCase() ?? '');
}
