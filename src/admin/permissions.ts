import type { Config, Permission } from '../config/schema.js';
import { PERMISSIONS } from '../config/schema.js';
import type { MemberRow } from '../db/rows.js';

type AdminEntry = Config['admins'][number];

/** Whoever may change accounts may also see them. */
export function withImplied(granted: Set<Permission>): Set<Permission> {
  if (granted.has('accounts:manage')) granted.add('accounts:read');
  return granted;
}

/** The email or lower-case employee ID an `admins` entry names. */
export function entryName(entry: AdminEntry): string {
  return typeof entry === 'string' ? entry : entry.member;
}

/** What an `admins` entry grants: a bare name every permission, otherwise those it lists (with what they imply). */
export function entryPermissions(entry: AdminEntry): Set<Permission> {
  return withImplied(new Set<Permission>(typeof entry === 'string' ? PERMISSIONS : entry.permissions));
}

/** The permissions config grants a member: an `admins` entry naming their email or employee ID (without case). */
export function permissionsOf(config: Config, member: Pick<MemberRow, 'emailNormalized' | 'employeeId' | 'status'>): Set<Permission> {
  const granted = new Set<Permission>();
  if (member.status !== 'claimed') return granted;
  const names = [member.emailNormalized, member.employeeId?.toLowerCase()].filter((name): name is string => Boolean(name));
  for (const entry of config.admins) {
    if (names.includes(entryName(entry))) for (const permission of entryPermissions(entry)) granted.add(permission);
  }
  return granted;
}

export function isAdmin(config: Config, member: Pick<MemberRow, 'emailNormalized' | 'employeeId' | 'status'>): boolean {
  return permissionsOf(config, member).size > 0;
}
