import { currentAccessCode } from '../access-codes/codes.js';
import type { AccessCodeRow, AuditRow, ClaimLinkRow, MemberRow } from '../db/rows.js';
import { memberGroupNames } from '../groups/groups.js';
import { findMemberById } from '../members/lookup.js';
import { currentLink } from '../members/resend.js';
import type { Runtime } from '../runtime.js';

export const HISTORY_LIMIT = 200;

export interface MemberDetail {
  member: MemberRow;
  groups: string[];
  link: ClaimLinkRow | null;
  accessCode: AccessCodeRow | null;
  /** The member's audit trail, newest first. */
  history: AuditRow[];
}

export async function loadMemberDetail(runtime: Runtime, memberId: string): Promise<MemberDetail | null> {
  const { db } = runtime;
  const member = await findMemberById(db, memberId);
  if (!member) return null;
  const now = runtime.now();
  const [groups, link, accessCode, history] = await Promise.all([
    memberGroupNames(db, member.id),
    member.status === 'invited' ? currentLink(db, member.id, now) : null,
    member.status === 'invited' ? currentAccessCode(db, member, now) : undefined,
    db.source.manager.find(db.entities.AuditEvent, { where: { memberId: member.id }, order: { id: 'DESC' }, take: HISTORY_LIMIT }),
  ]);
  return { member, groups, link, accessCode: accessCode ?? null, history };
}
