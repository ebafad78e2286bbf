import type { Request } from 'express';
import { isRowId } from '../db/ids.js';
import { AppError } from '../http/errors.js';
import { assignGroups, assignmentsOf, GROUP_NAME_MAX, unassignGroups, type AssignmentChange } from '../groups/assigned.js';
import type { Runtime } from '../runtime.js';
import { guardAdminTarget } from './admin-targets.js';

/** At most this many group names in one admin request. */
export const ADMIN_GROUPS_MAX = 50;

export interface GroupChange {
  assign: string[];
  unassign: string[];
}

/** Names from a form field or a JSON value: one string (several separated by commas) or a list of strings. */
export function namesFrom(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  if (list.some((item) => typeof item !== 'string')) throw new AppError('validation_failed', 'group names not strings', 'Group names must be text.');
  return (list as string[]).flatMap((item) => item.split(',')).map((name) => name.trim()).filter(Boolean);
}

function checked(names: string[]): string[] {
  const long = names.find((name) => name.length > GROUP_NAME_MAX);
  if (long) throw new AppError('validation_failed', 'group name too long', `A group name is at most ${GROUP_NAME_MAX} characters.`);
  if (names.length > ADMIN_GROUPS_MAX) throw new AppError('validation_failed', 'too many groups', `Name at most ${ADMIN_GROUPS_MAX} groups at a time.`);
  return names;
}

/**
 * An admin assigns and unassigns groups (source `admin`; what SSO, import or SCIM assigned is theirs to change), in
 * one transaction, audited as `member.groups_assigned`. Answers the member's assigned groups afterwards.
 */
export async function changeAssignedGroups(runtime: Runtime, memberId: string, change: GroupChange, actorId: string, req?: Request) {
  const assign = checked(change.assign);
  const unassign = checked(change.unassign);
  if (!assign.length && !unassign.length) throw new AppError('validation_failed', 'no group named', 'Name at least one group to assign or unassign.');
  const { db } = runtime;
  const member = isRowId(memberId) ? await db.source.manager.findOneBy(db.entities.Member, { id: memberId }) : null;
  if (!member) throw new AppError('not_found', 'no such member');
  await guardAdminTarget(runtime, req, [member], 'groups', member.id);
  const result: AssignmentChange = await db.transaction(async (manager) => {
    const removed = await unassignGroups(runtime, manager, member.id, unassign, 'admin', actorId, req);
    const added = await assignGroups(runtime, manager, member.id, assign, 'admin', actorId, req);
    return { added: added.added, removed: removed.removed };
  });
  return { id: member.id, ...result, assignedGroups: await assignmentsOf(db, member.id) };
}
