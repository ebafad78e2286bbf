import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import { In, type EntityManager } from 'typeorm';
import { isUniqueViolation } from '../db/errors.js';
import { isRowId } from '../db/ids.js';
import type { ScimClientRow, ScimGroupRow } from '../db/scim-rows.js';
import { displayName } from '../members/lookup.js';
import type { Runtime } from '../runtime.js';
import { ScimError, badValue, notFound } from './errors.js';
import { filterToSql, parseFilter, type FilterColumn } from './filter.js';
import { readGroup, toScimGroup, type GroupInput, type GroupMemberRef } from './group-resource.js';
import { syncAssignedGroups } from './group-sync.js';
import { applyPatch, readPatch } from './patch.js';
import { GROUP_SCHEMA, ifMatchAllows } from './schemas.js';
import { scimActor } from './tokens.js';
import type { Page } from './users.js';

type Json = Record<string, unknown>;

export interface ScimGroup {
  group: ScimGroupRow;
  members: GroupMemberRef[];
}

const GROUP_COLUMNS: Record<string, FilterColumn> = {
  id: { sql: 'g.id', caseInsensitive: false },
  displayname: { sql: 'g.display_name_normalized', caseInsensitive: true },
  externalid: { sql: 'g.external_id', caseInsensitive: false },
  'members.value': {
    sql: 'gm.member_id',
    caseInsensitive: false,
    exists: (parameter) => `EXISTS (SELECT 1 FROM scim_group_members gm WHERE gm.group_id = g.id${parameter ? ` AND gm.member_id = ${parameter}` : ''})`,
  },
};
GROUP_COLUMNS.members = GROUP_COLUMNS['members.value']!;

const CHUNK = 500;
const stale = () => new ScimError(412, 'the resource changed since the version in If-Match', undefined, 'precondition_failed');
const normalizedName = (name: string) => name.trim().toLowerCase();

async function membersOf(runtime: Runtime, manager: EntityManager, groupIds: string[]): Promise<Map<string, GroupMemberRef[]>> {
  const { entities } = runtime.db;
  const out = new Map<string, GroupMemberRef[]>(groupIds.map((id) => [id, []]));
  if (!groupIds.length) return out;
  const rows = await manager.findBy(entities.ScimGroupMember, { groupId: In(groupIds) });
  const memberIds = [...new Set(rows.map((row) => row.memberId))];
  const names = new Map<string, string | null>();
  for (let i = 0; i < memberIds.length; i += CHUNK) {
    const members = await manager.find(entities.Member, { where: { id: In(memberIds.slice(i, i + CHUNK)) }, select: { id: true, name: true, firstName: true, lastName: true, email: true, username: true } });
    for (const member of members) names.set(member.id, displayName(member));
  }
  for (const row of rows) out.get(row.groupId)!.push({ id: row.memberId, display: names.get(row.memberId) ?? null });
  for (const list of out.values()) list.sort((a, b) => a.id.localeCompare(b.id));
  return out;
}

async function loadGroup(runtime: Runtime, manager: EntityManager, client: ScimClientRow, id: string, withMembers = true): Promise<ScimGroup | null> {
  if (!isRowId(id)) return null;
  const group = await manager.findOneBy(runtime.db.entities.ScimGroup, { id, clientId: client.id });
  if (!group) return null;
  return { group, members: withMembers ? (await membersOf(runtime, manager, [id])).get(id)! : [] };
}

export function groupResource(runtime: Runtime, group: ScimGroup): Json {
  return toScimGroup(group.group, group.members, runtime.config.baseUrl);
}

export async function getGroup(runtime: Runtime, client: ScimClientRow, id: string, withMembers = true): Promise<ScimGroup> {
  const group = await loadGroup(runtime, runtime.db.source.manager, client, id, withMembers);
  if (!group) throw notFound(`Group ${id.slice(0, 64)}`);
  return group;
}

export async function listGroups(runtime: Runtime, client: ScimClientRow, query: { filter?: string; startIndex: number; count: number; withMembers: boolean }): Promise<Page<ScimGroup>> {
  const { db } = runtime;
  const builder = db.source.manager.createQueryBuilder(db.entities.ScimGroup, 'g').where('g.client_id = :client', { client: client.id });
  if (query.filter !== undefined) {
    const condition = filterToSql(parseFilter(query.filter), GROUP_COLUMNS, [GROUP_SCHEMA]);
    builder.andWhere(`(${condition.sql})`, condition.params);
  }
  const total = await builder.getCount();
  if (!query.count) return { total, items: [] };
  const groups = await builder.orderBy('g.created_at', 'ASC').addOrderBy('g.id', 'ASC').offset(query.startIndex - 1).limit(query.count).getMany();
  const members = query.withMembers ? await membersOf(runtime, db.source.manager, groups.map((group) => group.id)) : new Map<string, GroupMemberRef[]>();
  return { total, items: groups.map((group) => ({ group, members: members.get(group.id) ?? [] })) };
}

/** Only the client's own users can be members of its groups: any other value is refused, naming it. */
async function checkMembers(runtime: Runtime, manager: EntityManager, client: ScimClientRow, ids: string[]): Promise<void> {
  const malformed = ids.find((id) => !isRowId(id));
  if (malformed) throw badValue(`member "${malformed.slice(0, 64)}" is not a User of this client`);
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    const found = await manager.findBy(runtime.db.entities.ScimUser, { clientId: client.id, memberId: In(chunk) });
    if (found.length !== chunk.length) {
      const known = new Set(found.map((row) => row.memberId));
      throw badValue(`member "${chunk.find((id) => !known.has(id))}" is not a User of this client`);
    }
  }
}

async function setMembers(runtime: Runtime, manager: EntityManager, groupId: string, current: string[], wanted: string[]): Promise<{ added: string[]; removed: string[] }> {
  const { entities } = runtime.db;
  const have = new Set(current);
  const want = new Set(wanted);
  const added = wanted.filter((id) => !have.has(id));
  const removed = current.filter((id) => !want.has(id));
  for (let i = 0; i < removed.length; i += CHUNK) await manager.delete(entities.ScimGroupMember, { groupId, memberId: In(removed.slice(i, i + CHUNK)) });
  for (let i = 0; i < added.length; i += CHUNK) await manager.insert(entities.ScimGroupMember, added.slice(i, i + CHUNK).map((memberId) => ({ groupId, memberId })));
  return { added, removed };
}

const uniqueName = () => new ScimError(409, 'this client has a group with this displayName or externalId already', 'uniqueness');

export async function createGroup(runtime: Runtime, client: ScimClientRow, body: unknown, req?: Request): Promise<ScimGroup> {
  const { db } = runtime;
  const input = readGroup(body);
  const now = runtime.now();
  const group: ScimGroupRow = {
    id: randomUUID(), clientId: client.id, displayName: input.displayName, displayNameNormalized: normalizedName(input.displayName),
    externalId: input.externalId, version: 1, createdAt: now, updatedAt: now,
  };
  try {
    await db.transaction(async (manager) => {
      await checkMembers(runtime, manager, client, input.members);
      await manager.insert(db.entities.ScimGroup, group);
      await setMembers(runtime, manager, group.id, [], input.members);
      await runtime.audit({ event: 'scim.group_created', actorId: scimActor(client), req, details: { client: client.name, group: group.displayName, members: input.members.length } }, manager);
      await syncAssignedGroups(runtime, manager, client, input.members);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw uniqueName();
    throw error;
  }
  return getGroup(runtime, client, group.id);
}

async function writeGroup(
  runtime: Runtime, client: ScimClientRow, id: string, ifMatch: string | undefined,
  next: (current: ScimGroup) => GroupInput, req?: Request,
): Promise<void> {
  const { db } = runtime;
  const now = runtime.now();
  try {
    await db.transaction(async (manager) => {
      const current = await loadGroup(runtime, manager, client, id);
      if (!current) throw notFound(`Group ${id.slice(0, 64)}`);
      if (!ifMatchAllows(ifMatch, current.group.version)) throw stale();
      const input = next(current);
      await checkMembers(runtime, manager, client, input.members);
      const moved = await manager.update(db.entities.ScimGroup, { id, clientId: client.id, version: current.group.version }, {
        displayName: input.displayName, displayNameNormalized: normalizedName(input.displayName), externalId: input.externalId,
        version: current.group.version + 1, updatedAt: now,
      });
      if (moved.affected !== 1) throw stale();
      const before = current.members.map((member) => member.id);
      const change = await setMembers(runtime, manager, id, before, input.members);
      const renamed = input.displayName !== current.group.displayName;
      await runtime.audit({
        event: 'scim.group_updated', actorId: scimActor(client), req,
        details: { client: client.name, group: input.displayName, renamed, added: change.added.length, removed: change.removed.length },
      }, manager);
      await syncAssignedGroups(runtime, manager, client, renamed ? [...new Set([...before, ...input.members])] : [...change.added, ...change.removed]);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw uniqueName();
    throw error;
  }
}

export async function replaceGroup(runtime: Runtime, client: ScimClientRow, id: string, body: unknown, ifMatch?: string, req?: Request): Promise<ScimGroup> {
  const input = readGroup(body);
  await writeGroup(runtime, client, id, ifMatch, (current) => {
    const sentId = (body as Json).id;
    if (sentId !== undefined && sentId !== current.group.id) throw new ScimError(400, 'id cannot be changed', 'mutability');
    return input;
  }, req);
  return getGroup(runtime, client, id);
}

/** PATCH (Entra ID adds and removes `members` by value; Okta removes `members[value eq "…"]`): applied, then written whole. */
export async function patchGroup(runtime: Runtime, client: ScimClientRow, id: string, body: unknown, ifMatch?: string, req?: Request): Promise<void> {
  const operations = readPatch(body);
  await writeGroup(runtime, client, id, ifMatch, (current) => {
    const resource = groupResource(runtime, current);
    const patched = applyPatch<Json>({ ...resource, members: current.members.map((member) => ({ value: member.id })) }, operations);
    if (patched.id !== current.group.id) throw new ScimError(400, 'id cannot be changed', 'mutability');
    return readGroup(patched);
  }, req);
}

/** Deletes the group and its memberships; the members stay. */
export async function deleteGroup(runtime: Runtime, client: ScimClientRow, id: string, ifMatch?: string, req?: Request): Promise<void> {
  const { db } = runtime;
  await db.transaction(async (manager) => {
    const current = await loadGroup(runtime, manager, client, id);
    if (!current) throw notFound(`Group ${id.slice(0, 64)}`);
    if (!ifMatchAllows(ifMatch, current.group.version)) throw stale();
    const removed = await manager.delete(db.entities.ScimGroup, { id, clientId: client.id, version: current.group.version });
    if (removed.affected !== 1) throw stale();
    await manager.delete(db.entities.ScimGroupMember, { groupId: id });
    await runtime.audit({ event: 'scim.group_deleted', actorId: scimActor(client), req, details: { client: client.name, group: current.group.displayName } }, manager);
    await syncAssignedGroups(runtime, manager, client, current.members.map((member) => member.id));
  });
}
