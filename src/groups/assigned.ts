import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import { In, type EntityManager } from 'typeorm';
import type { Database } from '../db/database.js';
import type { GroupRow } from '../db/rows.js';
import type { Runtime } from '../runtime.js';
import { normalizeGroupName } from './groups.js';

/**
 * Who assigned a group: an admin (pages, API, CLI), the CSV import, an SSO provider (`sso:<provider id>`) or a SCIM
 * client (`scim:<client id>`). Each source holds its own set: replacing one source's set never touches another's.
 */
export type AssignmentSource = 'admin' | 'import' | `sso:${string}` | `scim:${string}`;

const SOURCE = /^(admin|import|(sso|scim):[A-Za-z0-9._-]{1,64})$/;
export const GROUP_NAME_MAX = 100;

export function isAssignmentSource(value: string): value is AssignmentSource {
  return SOURCE.test(value);
}

/** Trimmed, non-empty names, at most 100 characters, each once (case-insensitively). Throws on a name too long. */
export function cleanGroupNames(names: readonly string[]): string[] {
  const seen = new Map<string, string>();
  for (const raw of names) {
    const name = raw.trim();
    if (!name) continue;
    if (name.length > GROUP_NAME_MAX) throw new RangeError(`group name longer than ${GROUP_NAME_MAX} characters`);
    if (!seen.has(normalizeGroupName(name))) seen.set(normalizeGroupName(name), name);
  }
  return [...seen.values()];
}

/** The groups named, created when missing. A group first created by an assignment is not selectable by members. */
async function groupsNamed(db: Database, manager: EntityManager, names: string[], now: Date): Promise<GroupRow[]> {
  if (!names.length) return [];
  const normalized = names.map(normalizeGroupName);
  const existing = await manager.findBy(db.entities.Group, { nameNormalized: In(normalized) });
  const known = new Set(existing.map((group) => group.nameNormalized));
  const missing = names.filter((name) => !known.has(normalizeGroupName(name)));
  if (!missing.length) return existing;
  // Another transaction may create the same group at once: the second insert is a no-op, then both read the row.
  await manager.createQueryBuilder().insert().into(db.entities.Group)
    .values(missing.map((name) => ({ id: randomUUID(), name, nameNormalized: normalizeGroupName(name), selectable: false, createdAt: now })))
    .orIgnore()
    .execute();
  return manager.findBy(db.entities.Group, { nameNormalized: In(normalized) });
}

export interface AssignmentChange {
  added: string[];
  removed: string[];
}

async function audited(runtime: Runtime, manager: EntityManager, memberId: string, source: AssignmentSource, actorId: string | null, change: AssignmentChange, req: Request | undefined): Promise<AssignmentChange> {
  if (!change.added.length && !change.removed.length) return change;
  await runtime.audit({ event: 'member.groups_assigned', actorId, memberId, req, details: { source, added: change.added, removed: change.removed } }, manager);
  runtime.db.afterCommit(manager, () => runtime.identities.forget(memberId));
  return change;
}

function checkSource(source: string): asserts source is AssignmentSource {
  if (!isAssignmentSource(source)) throw new RangeError(`not an assignment source: ${source}`);
}

/** Adds groups to those `source` assigned to the member (inside the caller's transaction); audited when anything changed. */
export async function assignGroups(runtime: Runtime, manager: EntityManager, memberId: string, names: readonly string[], source: AssignmentSource, actorId: string | null, req?: Request): Promise<AssignmentChange> {
  checkSource(source);
  const { db } = runtime;
  const now = runtime.now();
  const groups = await groupsNamed(db, manager, cleanGroupNames(names), now);
  if (!groups.length) return { added: [], removed: [] };
  const held = await manager.findBy(db.entities.Assignment, { memberId, source, groupId: In(groups.map((group) => group.id)) });
  const heldIds = new Set(held.map((row) => row.groupId));
  const adding = groups.filter((group) => !heldIds.has(group.id));
  if (adding.length) {
    await manager.createQueryBuilder().insert().into(db.entities.Assignment)
      .values(adding.map((group) => ({ memberId, groupId: group.id, source, assignedBy: actorId, createdAt: now })))
      .orIgnore()
      .execute();
  }
  return audited(runtime, manager, memberId, source, actorId, { added: adding.map((group) => group.name).sort(), removed: [] }, req);
}

/** Removes groups from those `source` assigned to the member; other sources' assignments stay. */
export async function unassignGroups(runtime: Runtime, manager: EntityManager, memberId: string, names: readonly string[], source: AssignmentSource, actorId: string | null, req?: Request): Promise<AssignmentChange> {
  checkSource(source);
  const { db } = runtime;
  const normalized = cleanGroupNames(names).map(normalizeGroupName);
  if (!normalized.length) return { added: [], removed: [] };
  const groups = await manager.findBy(db.entities.Group, { nameNormalized: In(normalized) });
  if (!groups.length) return { added: [], removed: [] };
  const held = await manager.findBy(db.entities.Assignment, { memberId, source, groupId: In(groups.map((group) => group.id)) });
  if (held.length) await manager.delete(db.entities.Assignment, { memberId, source, groupId: In(held.map((row) => row.groupId)) });
  const heldIds = new Set(held.map((row) => row.groupId));
  return audited(runtime, manager, memberId, source, actorId, { added: [], removed: groups.filter((group) => heldIds.has(group.id)).map((group) => group.name).sort() }, req);
}

/** Replaces the set of groups `source` assigned to the member with `names` (an SSO sign-in, a SCIM push, an import row). */
export async function setAssignedGroups(runtime: Runtime, manager: EntityManager, memberId: string, names: readonly string[], source: AssignmentSource, actorId: string | null, req?: Request): Promise<AssignmentChange> {
  checkSource(source);
  const { db } = runtime;
  const now = runtime.now();
  const groups = await groupsNamed(db, manager, cleanGroupNames(names), now);
  const wanted = new Set(groups.map((group) => group.id));
  const held = await manager.findBy(db.entities.Assignment, { memberId, source });
  const heldIds = new Set(held.map((row) => row.groupId));
  const dropping = held.filter((row) => !wanted.has(row.groupId)).map((row) => row.groupId);
  const adding = groups.filter((group) => !heldIds.has(group.id));
  if (dropping.length) await manager.delete(db.entities.Assignment, { memberId, source, groupId: In(dropping) });
  if (adding.length) {
    await manager.createQueryBuilder().insert().into(db.entities.Assignment)
      .values(adding.map((group) => ({ memberId, groupId: group.id, source, assignedBy: actorId, createdAt: now })))
      .orIgnore()
      .execute();
  }
  const dropped = dropping.length ? await manager.findBy(db.entities.Group, { id: In(dropping) }) : [];
  return audited(runtime, manager, memberId, source, actorId, { added: adding.map((group) => group.name).sort(), removed: dropped.map((group) => group.name).sort() }, req);
}

/** The names of the groups assigned to a member by any source, each once, sorted: the only groups access reads. */
export async function assignedGroupNames(db: Database, memberId: string, manager: EntityManager = db.source.manager): Promise<string[]> {
  const rows = await manager.findBy(db.entities.Assignment, { memberId });
  if (!rows.length) return [];
  const groups = await manager.findBy(db.entities.Group, { id: In([...new Set(rows.map((row) => row.groupId))]) });
  return groups.map((group) => group.name).sort();
}

/** Each assigned group with the sources that hold it, for the admin pages. */
export async function assignmentsOf(db: Database, memberId: string): Promise<Array<{ name: string; sources: string[] }>> {
  const rows = await db.source.manager.findBy(db.entities.Assignment, { memberId });
  if (!rows.length) return [];
  const groups = await db.source.manager.findBy(db.entities.Group, { id: In([...new Set(rows.map((row) => row.groupId))]) });
  return groups.map((group) => ({ name: group.name, sources: rows.filter((row) => row.groupId === group.id).map((row) => row.source).sort() }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
