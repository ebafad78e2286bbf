import { In, MoreThan, type FindOptionsWhere } from 'typeorm';
import { claimUrl, isLinkUsable } from '../claim/links.js';
import type { ClaimLinkRow, MemberRow, MemberStatus } from '../db/rows.js';
import type { Runtime } from '../runtime.js';
import { csvRow } from './csv.js';

export const EXPORT_COLUMNS = [
  'id', 'email', 'employee_id', 'name', 'first_name', 'last_name', 'title', 'department', 'location', 'locale',
  'login_method', 'status', 'invited_at', 'claimed_at', 'claim_link', 'claim_link_expires_at',
] as const;

export type ExportStatus = MemberStatus | 'all';

const BATCH = 1000;

async function usableLinks(runtime: Runtime, members: MemberRow[], now: Date): Promise<Map<string, ClaimLinkRow>> {
  const invited = members.filter((member) => member.status === 'invited');
  const byMember = new Map<string, ClaimLinkRow>();
  if (!invited.length) return byMember;
  const links = await runtime.db.source.manager.findBy(runtime.db.entities.ClaimLink, { memberId: In(invited.map((m) => m.id)) });
  const members_ = new Map(invited.map((member) => [member.id, member]));
  for (const link of links) {
    const member = members_.get(link.memberId)!;
    if (isLinkUsable(link, member, now)) byMember.set(link.memberId, link);
  }
  return byMember;
}

/**
 * Streams the members as CSV, a batch at a time in id order, so memory stays flat however many there are.
 * Each invited, unclaimed member carries the link that is valid now; reading it changes nothing.
 */
export async function* membersCsv(runtime: Runtime, status: ExportStatus): AsyncGenerator<string> {
  const { db, config, keys } = runtime;
  const now = runtime.now();
  yield csvRow([...EXPORT_COLUMNS]);
  let after = '';
  for (;;) {
    const where: FindOptionsWhere<MemberRow> = { id: MoreThan(after) };
    if (status !== 'all') where.status = status;
    const members = await db.source.manager.find(db.entities.Member, { where, order: { id: 'ASC' }, take: BATCH });
    if (!members.length) return;
    const links = await usableLinks(runtime, members, now);
    let chunk = '';
    for (const member of members) {
      const link = links.get(member.id);
      chunk += csvRow([
        member.id, member.email, member.employeeId, member.name, member.firstName, member.lastName, member.title,
        member.department, member.location, member.locale, member.loginMethod, member.status,
        member.invitedAt?.toISOString(), member.claimedAt?.toISOString(),
        link ? claimUrl(config.baseUrl, keys.claimLink, link.id) : '', link?.expiresAt.toISOString(),
      ]);
    }
    yield chunk;
    after = members[members.length - 1]!.id;
  }
}
