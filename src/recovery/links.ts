import { IsNull, type EntityManager } from 'typeorm';
import { linkIdFromToken, newLinkId, tokenForLink } from '../claim/link-token.js';
import type { Config } from '../config/schema.js';
import type { Database } from '../db/database.js';
import type { MemberRow, RecoveryLinkRow } from '../db/rows.js';
import { canRecoverPassword } from './eligibility.js';

/**
 * Recovery links are built like claim links (src/claim/link-token.ts): 128 random bits of id and an HMAC of it under
 * a key of their own, so a claim link can never pass for a recovery link, and a copy of the database builds neither.
 */
export function recoveryUrl(baseUrl: string, key: Buffer, linkId: string): string {
  return `${baseUrl}/recover/${tokenForLink(key, linkId)}`;
}

export function isRecoveryLinkUsable(config: Config, link: RecoveryLinkRow, member: MemberRow, now: Date): boolean {
  return !link.revokedAt && !link.usedAt && link.expiresAt.getTime() > now.getTime() && canRecoverPassword(config, member);
}

/** Kills every recovery link of the member that is still open. */
export async function revokeRecoveryLinks(db: Database, manager: EntityManager, memberId: string, now: Date): Promise<number> {
  const result = await manager.update(db.entities.RecoveryLink, { memberId, revokedAt: IsNull(), usedAt: IsNull() }, { revokedAt: now });
  return result.affected ?? 0;
}

/** One live link per member: a new request kills the older ones. */
export async function issueRecoveryLink(db: Database, manager: EntityManager, memberId: string, ttlMs: number, now: Date): Promise<RecoveryLinkRow> {
  await revokeRecoveryLinks(db, manager, memberId, now);
  const link: RecoveryLinkRow = { id: newLinkId(), memberId, createdAt: now, expiresAt: new Date(now.getTime() + ttlMs), revokedAt: null, usedAt: null };
  await manager.insert(db.entities.RecoveryLink, link);
  return link;
}

export interface UsableRecoveryLink {
  link: RecoveryLinkRow;
  member: MemberRow;
}

/** Resolves a token to a usable link. Reading never changes the link: GET and HEAD consume nothing. */
export async function findUsableRecoveryLink(db: Database, config: Config, key: Buffer, token: string, now: Date): Promise<UsableRecoveryLink | undefined> {
  const linkId = linkIdFromToken(key, token);
  if (!linkId) return undefined;
  const link = await db.source.manager.findOneBy(db.entities.RecoveryLink, { id: linkId });
  if (!link) return undefined;
  const member = await db.source.manager.findOneBy(db.entities.Member, { id: link.memberId });
  return member && isRecoveryLinkUsable(config, link, member, now) ? { link, member } : undefined;
}
