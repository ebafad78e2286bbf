import type { Database } from '../db/database.js';
import type { MemberRow } from '../db/rows.js';
import { normalizeEmail } from './normalize.js';

export function findMemberById(db: Database, id: string): Promise<MemberRow | null> {
  return db.source.manager.findOneBy(db.entities.Member, { id });
}

export function findMemberByEmail(db: Database, email: string): Promise<MemberRow | null> {
  return db.source.manager.findOneBy(db.entities.Member, { emailNormalized: normalizeEmail(email) });
}

/** Sign-in accepts an email or a username, both case-insensitive. */
export function findMemberBySignInName(db: Database, identifier: string): Promise<MemberRow | null> {
  const normalized = identifier.trim().toLowerCase();
  if (!normalized) return Promise.resolve(null);
  return db.source.manager.findOne(db.entities.Member, {
    where: [{ emailNormalized: normalized }, { usernameNormalized: normalized }],
  });
}

export function displayName(member: Pick<MemberRow, 'name' | 'firstName' | 'lastName' | 'email' | 'username'>): string {
  const full = [member.firstName, member.lastName].filter(Boolean).join(' ');
  return member.name || full || member.username || member.email || 'Member';
}
