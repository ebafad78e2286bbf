import { isRowId } from '../db/ids.js';
import { In } from 'typeorm';
import { currentAccessCode } from '../access-codes/codes.js';
import type { AccessCodeRow, AuditRow, ClaimLinkRow, MemberRow } from '../db/rows.js';
import { chosenGroupNames } from '../groups/groups.js';
import { assignmentsOf } from '../groups/assigned.js';
import { findMemberById } from '../members/lookup.js';
import { currentLink } from '../members/resend.js';
import type { Runtime } from '../runtime.js';

export const HISTORY_LIMIT = 200;

export interface MemberDetail {
  member: MemberRow;
  /** Chosen at first access (social). */
  groups: string[];
  /** Assigned, each with the sources that hold it: what access decisions read. */
  assigned: Array<{ name: string; sources: string[] }>;
  link: ClaimLinkRow | null;
  accessCode: AccessCodeRow | null;
  /** The member's audit trail, newest first. */
  history: AuditRow[];
  /** Who the actors in the history are: member id → email, username or employee ID. */
  actors: Map<string, string>;
}

export async function loadMemberDetail(runtime: Runtime, memberId: string): Promise<MemberDetail | null> {
  const { db } = runtime;
  const member = await findMemberById(db, memberId);
  if (!member) return null;
  const now = runtime.now();
  const [groups, assigned, link, accessCode, history] = await Promise.all([
    chosenGroupNames(db, member.id),
    assignmentsOf(db, member.id),
    member.status === 'invited' ? currentLink(db, member.id, now) : null,
    // An invited member's access code, or a claimed member's recovery code.
    member.status === 'invited' || member.status === 'claimed' ? currentAccessCode(db, member, now) : undefined,
    db.source.manager.find(db.entities.AuditEvent, { where: { memberId: member.id }, order: { id: 'DESC' }, take: HISTORY_LIMIT }),
  ]);
  const actorIds = [...new Set(history.map((entry) => entry.actorId).filter((id): id is string => Boolean(id && isRowId(id))))];
  const actors = actorIds.length ? await db.source.manager.find(db.entities.Member, { where: { id: In(actorIds) } }) : [];
  return {
    member, groups, assigned, link, accessCode: accessCode ?? null, history,
    actors: new Map(actors.map((actor) => [actor.id, actor.email ?? actor.username ?? actor.employeeId ?? actor.id])),
  };
}
