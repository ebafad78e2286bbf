import { randomUUID } from 'node:crypto';
import type { Database } from '../db/database.js';
import type { MemberRow } from '../db/rows.js';
import { isUniqueViolation } from '../db/errors.js';
import { findMemberByEmail } from '../members/lookup.js';
import type { SsoIdentity } from './identity.js';
import { providerVouchesFor, type SsoProvider } from './providers.js';

export type Resolution =
  | { kind: 'linked'; member: MemberRow }
  | { kind: 'email'; member: MemberRow }
  /** The email names a member who is already linked to another identity: never taken over by email. */
  | { kind: 'conflict'; member: MemberRow }
  | { kind: 'unknown' };

/**
 * Finds the member an identity belongs to: by (issuer, subject) when linked, otherwise by the provider-vouched email,
 * but never by email when that member is already linked to a different identity.
 */
export async function resolveMember(db: Database, provider: SsoProvider, identity: SsoIdentity): Promise<Resolution> {
  const { manager } = db.source;
  const account = await manager.findOneBy(db.entities.SsoAccount, { issuer: identity.issuer, subject: identity.subject });
  if (account) {
    const member = await manager.findOneBy(db.entities.Member, { id: account.memberId });
    if (member) return { kind: 'linked', member };
  }
  if (!identity.email || !providerVouchesFor(provider, identity.email)) return { kind: 'unknown' };
  const member = await findMemberByEmail(db, identity.email);
  if (!member) return { kind: 'unknown' };
  const other = await manager.countBy(db.entities.SsoAccount, { memberId: member.id });
  return other ? { kind: 'conflict', member } : { kind: 'email', member };
}

/** Links the member to the identity on its first match, or notes the use of an existing link. False when someone else won a race for it. */
export async function linkIdentity(db: Database, member: MemberRow, identity: SsoIdentity, now: Date): Promise<boolean> {
  const { manager } = db.source;
  const updated = await manager.update(db.entities.SsoAccount, { issuer: identity.issuer, subject: identity.subject, memberId: member.id }, { lastUsedAt: now });
  if (updated.affected) return true;
  try {
    await manager.insert(db.entities.SsoAccount, {
      id: randomUUID(), memberId: member.id, providerId: identity.providerId, issuer: identity.issuer, subject: identity.subject, createdAt: now, lastUsedAt: now,
    });
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}
