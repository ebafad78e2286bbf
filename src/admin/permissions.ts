import type { Config, Permission } from '../config/schema.js';
import { PERMISSIONS } from '../config/schema.js';
import type { MemberRow } from '../db/rows.js';

/** The permissions config grants a member: an `admins` entry naming their email or employee ID (without case). */
export function permissionsOf(config: Config, member: Pick<MemberRow, 'emailNormalized' | 'employeeId' | 'status'>): Set<Permission> {
  const granted = new Set<Permission>();
  if (member.status !== 'claimed') return granted;
  const names = [member.emailNormalized, member.employeeId?.toLowerCase()].filter((name): name is string => Boolean(name));
  for (const entry of config.admins) {
    const name = typeof entry === 'string' ? entry : entry.member;
    if (!names.includes(name)) continue;
    for (const permission of typeof entry === 'string' ? PERMISSIONS : entry.permissions) granted.add(permission);
  }
  // Whoever may change accounts may also see them.
  if (granted.has('accounts:manage')) granted.add('accounts:read');
  return granted;
}

export function isAdmin(config: Config, member: Pick<MemberRow, 'emailNormalized' | 'employeeId' | 'status'>): boolean {
  return permissionsOf(config, member).size > 0;
}
