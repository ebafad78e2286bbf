import { randomUUID } from 'node:crypto';
import { In } from 'typeorm';
import type { Database } from '../db/database.js';
import { containsPattern } from '../db/like.js';
import type { GroupRow } from '../db/rows.js';

export function normalizeGroupName(name: string): string {
  return name.trim().toLowerCase();
}

/** Makes sure every group of the configured pool exists; existing groups are left as they are. */
export async function ensureGroupPool(db: Database, pool: string[], now: Date): Promise<void> {
  if (!pool.length) return;
  await db.transaction(async (manager) => {
    const existing = await manager.findBy(db.entities.Group, { nameNormalized: In(pool.map(normalizeGroupName)) });
    const known = new Set(existing.map((group) => group.nameNormalized));
    const missing = pool.filter((name) => !known.has(normalizeGroupName(name)));
    if (!missing.length) return;
    // Replicas starting at once may insert the same group: the second insert is a no-op, not a failed start.
    await manager.createQueryBuilder().insert().into(db.entities.Group)
      .values(missing.map((name) => ({ id: randomUUID(), name: name.trim(), nameNormalized: normalizeGroupName(name), createdAt: now })))
      .orIgnore()
      .execute();
  });
}

export async function groupsInPool(db: Database, pool: string[]): Promise<GroupRow[]> {
  if (!pool.length) return [];
  const groups = await db.source.manager.findBy(db.entities.Group, { nameNormalized: In(pool.map(normalizeGroupName)) });
  const order = pool.map(normalizeGroupName);
  return groups.sort((a, b) => order.indexOf(a.nameNormalized) - order.indexOf(b.nameNormalized));
}

/** Case-insensitive search by name, for the groups step. The query is a bound parameter, with LIKE wildcards escaped. */
export async function searchGroups(db: Database, query: string, limit = 20): Promise<GroupRow[]> {
  const needle = normalizeGroupName(query);
  if (!needle) return [];
  return db.source.manager
    .createQueryBuilder(db.entities.Group, 'g')
    .where("g.name_normalized LIKE :needle ESCAPE '\\'", { needle: containsPattern(needle) })
    .orderBy('g.name_normalized', 'ASC')
    .limit(limit)
    .getMany();
}

export async function groupsByIds(db: Database, ids: string[]): Promise<GroupRow[]> {
  if (!ids.length) return [];
  return db.source.manager.findBy(db.entities.Group, { id: In(ids) });
}

/** The names of the groups a member belongs to, sorted. */
export async function memberGroupNames(db: Database, memberId: string): Promise<string[]> {
  const memberships = await db.source.manager.findBy(db.entities.Membership, { memberId });
  if (!memberships.length) return [];
  const groups = await db.source.manager.findBy(db.entities.Group, { id: In(memberships.map((m) => m.groupId)) });
  return groups.map((group) => group.name).sort();
}
