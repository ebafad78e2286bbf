import type { ClaimLinkRow, MemberRow } from '../db/rows.js';

/**
 * Which claim link is usable: its member is still invited, and the link is neither revoked nor used nor expired.
 * Opening one, resending it, reminding of it and exporting it all ask this rule, in JavaScript or in SQL.
 */
export function isLinkUsable(link: Pick<ClaimLinkRow, 'revokedAt' | 'usedAt' | 'expiresAt'>, member: Pick<MemberRow, 'status'>, now: Date): boolean {
  return !link.revokedAt && !link.usedAt && link.expiresAt.getTime() > now.getTime() && member.status === 'invited';
}

/**
 * The same rule as an SQL condition on the claim_links row `link`, at `now` (an SQL expression: a bound parameter
 * such as `:now`, or a literal where parameters cannot be used). With `member`, the alias of the link's member row,
 * it checks the member's status too; without, the caller checks that itself.
 */
export function usableLinkSql(link: string, now: string, member?: string): string {
  const condition = `${link}.revoked_at IS NULL AND ${link}.used_at IS NULL AND ${link}.expires_at > ${now}`;
  return member ? `${condition} AND ${member}.status = 'invited'` : condition;
}
