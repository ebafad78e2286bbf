import { randomUUID } from 'node:crypto';
import { In } from 'typeorm';
import type { Database } from '../db/database.js';
import { containsPattern } from '../db/like.js';
import type { GroupRow } from '../db/rows.js';

export function normalizeGroupName(name: string): string {
  return name.trim().toLowerCase();
}

/**
 * Makes sure every group of the configured pool exists and is selectable, and that the groups named assigned-only
 * are not: members can then neither find nor submit them at first access.
 */
export async function ensureGroupPool(db: Database, pool: string[], now: Date, assignedOnly: string[] = []): Promise<void> {
  if (!pool.length && !assignedOnly.length) return;
  await db.transaction(async (manager) => {
    if (assignedOnly.length) {
      await manager.update(db.entities.Group, { nameNormalized: In(assignedOnly.map(normalizeGroupName)) }, { selectable: false });
    }
    if (!pool.length) return;
    const existing = await manager.findBy(db.entities.Group, { nameNormalized: In(pool.map(normalizeGroupName)) });
    const hidden = existing.filter((group) => !group.selectable).map((group) => group.id);
    if (hidden.length) await manager.update(db.entities.Group, { id: In(hidden) }, { selectable: true });
    const known = new Set(existing.map((group) => group.nameNormalized));
    const missing = pool.filter((name) => !known.has(normalizeGroupName(name)));
    if (!missing.length) return;
    // Replicas starting at once may insert the same group: the second insert is a no-op, not a failed start.
    await manager.createQueryBuilder().insert().into(db.entities.Group)
      .values(missing.map((name) => ({ id: randomUUID(), name: name.trim(), nameNormalized: normalizeGroupName(name), selectable: true, createdAt: now })))
      .orIgnore()
      .execute();
  });
}

export async function groupsInPool(db: Database, pool: string[]): Promise<GroupRow[]> {
  if (!pool.length) return [];
  const groups = await db.source.manager.findBy(db.entities.Group, { nameNormalized: In(pool.map(normalizeGroupName)), selectable: true });
  const order = pool.map(normalizeGroupName);
  return groups.sort((a, b) => order.indexOf(a.nameNormalized) - order.indexOf(b.nameNormalized));
}

/**
 * Case-insensitive search among the selectable groups, for the groups step. The query is a bound parameter, with
 * LIKE wildcards escaped.
 */
export async function searchGroups(db: Database, query: string, limit = 20): Promise<GroupRow[]> {
  const needle = normalizeGroupName(query);
  if (!needle) return [];
  return db.source.manager
    .createQueryBuilder(db.entities.Group, 'g')
    .where("g.name_normalized LIKE :needle ESCAPE '\\'", { needle: containsPattern(needle) })
    .andWhere('g.selectable = :selectable', { selectable: true })
    .orderBy('g.name_normalized', 'ASC')
    .limit(limit)
    .getMany();
}

/** The selectable groups among `ids`: a crafted form naming an assigned-only group finds nothing. */
export async function selectableGroupsByIds(db: Database, ids: string[]): Promise<GroupRow[]> {
  if (!ids.length) return [];
  return db.source.manager.findBy(db.entities.Group, { id: In(ids), selectable: true });
}

/** The names of the groups a member chose, sorted: social only, never read for access. */
export async function chosenGroupNames(db: Database, memberId: string): Promise<string[]> {
  const memberships = await db.source.manager.findBy(db.entities.Membership, { memberId });
  if (!memberships.length) return [];
  const groups = await db.source.manager.findBy(db.entities.Group, { id: In(memberships.map((m) => m.groupId)) });
  return groups.map((group) => group.name).sort();
}
