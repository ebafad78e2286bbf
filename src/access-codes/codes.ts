import { randomUUID } from 'node:crypto';
import { IsNull, type EntityManager } from 'typeorm';
import type { Database } from '../db/database.js';
import type { AccessCodePurpose, AccessCodeRow, MemberRow } from '../db/rows.js';
import { supersedeOpenClaims } from '../claim/flow.js';
import type { Keys } from '../secrets/keys.js';
import { codeHash, deriveCode, formatCode } from './code.js';

export interface IssuedCode {
  row: AccessCodeRow;
  /** Grouped for printing: ABCD-EFGH-JKMN-PQRS. Never stored. */
  code: string;
}

/**
 * A claim code opens a claim for an invited member; a recovery code lets a claimed member who signs in with a
 * password choose a new one. Neither works for the other state.
 */
export function isCodeUsable(row: AccessCodeRow, member: MemberRow, now: Date): boolean {
  const memberFits = row.purpose === 'recovery' ? member.status === 'claimed' && member.loginMethod === 'password' : member.status === 'invited';
  return !row.usedAt && !row.revokedAt && !row.lockedAt && row.expiresAt.getTime() > now.getTime() && memberFits;
}

export function printableCode(keys: Keys, row: AccessCodeRow): string {
  return formatCode(deriveCode(keys.accessCode, row.id));
}

/** Kills the member's codes and ends any claim in progress that one of them opened. */
export async function revokeAccessCodes(db: Database, manager: EntityManager, memberId: string, now: Date): Promise<number> {
  const result = await manager.update(db.entities.AccessCode, { memberId, revokedAt: IsNull(), usedAt: IsNull() }, { revokedAt: now });
  await supersedeOpenClaims(db, manager, memberId, now);
  return result.affected ?? 0;
}

/** One valid code per member: issuing a new one kills the old one at once. */
export async function issueAccessCode(
  db: Database,
  keys: Keys,
  manager: EntityManager,
  memberId: string,
  ttlMs: number,
  now: Date,
  purpose: AccessCodePurpose = 'claim',
): Promise<IssuedCode> {
  await revokeAccessCodes(db, manager, memberId, now);
  const id = randomUUID();
  const code = deriveCode(keys.accessCode, id);
  const row: AccessCodeRow = {
    id, memberId, codeHash: codeHash(keys.accessCodeHash, code), createdAt: now, expiresAt: new Date(now.getTime() + ttlMs),
    usedAt: null, revokedAt: null, lockedAt: null, failedAttempts: 0, purpose,
  };
  await manager.insert(db.entities.AccessCode, row);
  return { row, code: formatCode(code) };
}

/** The member's newest code not yet used or revoked: expired and locked ones included, so they answer as such. */
export async function latestOpenCode(db: Database, memberId: string): Promise<AccessCodeRow | undefined> {
  const rows = await db.source.manager.find(db.entities.AccessCode, {
    where: { memberId, revokedAt: IsNull(), usedAt: IsNull() },
    order: { createdAt: 'DESC' },
    take: 1,
  });
  return rows[0];
}

/** The code a member can use right now, if any: what the printable export shows. */
export async function currentAccessCode(db: Database, member: MemberRow, now: Date): Promise<AccessCodeRow | undefined> {
  const row = await latestOpenCode(db, member.id);
  return row && isCodeUsable(row, member, now) ? row : undefined;
}
