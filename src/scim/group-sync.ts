import { In, type EntityManager } from 'typeorm';
import type { ScimClientRow } from '../db/scim-rows.js';
import { setAssignedGroups } from '../groups/assigned.js';
import type { Runtime } from '../runtime.js';
import { scimActor } from './tokens.js';

/** For each member, the display names of the client's groups it is in now (inside the caller's transaction). */
export async function scimGroupNames(runtime: Runtime, manager: EntityManager, client: ScimClientRow, memberIds: string[]): Promise<Map<string, string[]>> {
  const { entities } = runtime.db;
  const out = new Map<string, string[]>(memberIds.map((id) => [id, []]));
  if (!memberIds.length) return out;
  const groups = await manager.findBy(entities.ScimGroup, { clientId: client.id });
  if (!groups.length) return out;
  const names = new Map(groups.map((group) => [group.id, group.displayName]));
  for (let i = 0; i < memberIds.length; i += 500) {
    const rows = await manager.findBy(entities.ScimGroupMember, { memberId: In(memberIds.slice(i, i + 500)), groupId: In([...names.keys()]) });
    for (const row of rows) out.get(row.memberId)?.push(names.get(row.groupId)!);
  }
  return out;
}

/**
 * Brings the members' assigned groups from this client (source `scim:<client name>`) in line with its SCIM groups,
 * in the caller's transaction: the gateway's group checks read assigned groups only.
 */
export async function syncAssignedGroups(runtime: Runtime, manager: EntityManager, client: ScimClientRow, memberIds: string[]): Promise<void> {
  if (!memberIds.length) return;
  const names = await scimGroupNames(runtime, manager, client, [...new Set(memberIds)]);
  for (const [memberId, groups] of names) await setAssignedGroups(runtime, manager, memberId, groups, `scim:${client.name}`, scimActor(client));
}
