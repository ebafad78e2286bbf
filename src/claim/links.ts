import { IsNull, type EntityManager } from 'typeorm';
import type { Database } from '../db/database.js';
import type { ClaimLinkRow, MemberRow } from '../db/rows.js';
import { supersedeOpenClaims } from './flow.js';
import { linkIdFromToken, newLinkId, tokenForLink } from './link-token.js';
import { isLinkUsable } from './usable-link.js';

export { isLinkUsable } from './usable-link.js';

export interface UsableLink {
  link: ClaimLinkRow;
  member: MemberRow;
}

export function claimUrl(baseUrl: string, key: Buffer, linkId: string): string {
  return `${baseUrl}/claim/${tokenForLink(key, linkId)}`;
}

/** Kills every earlier link of the member, then issues a new one. */
export async function issueLink(db: Database, manager: EntityManager, memberId: string, ttlMs: number, now: Date): Promise<ClaimLinkRow> {
  await revokeLinks(db, manager, memberId, now);
  const link: ClaimLinkRow = { id: newLinkId(), memberId, createdAt: now, expiresAt: new Date(now.getTime() + ttlMs), revokedAt: null, usedAt: null };
  await manager.insert(db.entities.ClaimLink, link);
  return link;
}

/** Kills the member's links and ends any claim in progress that one of them opened. */
export async function revokeLinks(db: Database, manager: EntityManager, memberId: string, now: Date): Promise<void> {
  await manager.update(db.entities.ClaimLink, { memberId, revokedAt: IsNull(), usedAt: IsNull() }, { revokedAt: now });
  await supersedeOpenClaims(db, manager, memberId, now);
}


/** Resolves a token to a usable link. Opening a link never changes it: GET and HEAD consume nothing. */
export async function findUsableLink(db: Database, key: Buffer, token: string, now: Date): Promise<UsableLink | undefined> {
  const linkId = linkIdFromToken(key, token);
  if (!linkId) return undefined;
  const link = await db.source.manager.findOneBy(db.entities.ClaimLink, { id: linkId });
  if (!link) return undefined;
  const member = await db.source.manager.findOneBy(db.entities.Member, { id: link.memberId });
  return member && isLinkUsable(link, member, now) ? { link, member } : undefined;
}
