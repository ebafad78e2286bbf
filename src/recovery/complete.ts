import type { Request } from 'express';
import { IsNull, type EntityManager } from 'typeorm';
import type { ClaimMethod } from '../audit/events.js';
import { AppError } from '../http/errors.js';
import type { Runtime } from '../runtime.js';
import { endOtherSessions } from './end-sessions.js';
import { revokeRecoveryLinks } from './links.js';

/** What proved the member may choose a new password. */
export type RecoveryProof = { kind: 'link'; linkId: string } | { kind: 'code'; accessCodeId: string };

/**
 * Replaces a member's password in one transaction: the link or code is used up (only if nobody used it first), the
 * member's other recovery links and codes die, the new argon2id hash is written (only while the member can still
 * recover a password) and `recovery.completed` is audited. Then every session of the member ends.
 * A proof used or revoked meanwhile gives `refused` and writes nothing.
 */
export async function completeRecovery(
  runtime: Runtime,
  memberId: string,
  passwordHash: string,
  proof: RecoveryProof,
  req: Request,
  /** More writes in the same transaction (closing the recovery flow a code opened). */
  within?: (manager: EntityManager) => Promise<void>,
): Promise<'completed' | 'refused'> {
  const { db, audit } = runtime;
  const now = runtime.now();
  const method: ClaimMethod = proof.kind;
  try {
    await db.transaction(async (manager) => {
      const used = proof.kind === 'link'
        ? await manager.update(db.entities.RecoveryLink, { id: proof.linkId, memberId, usedAt: IsNull(), revokedAt: IsNull() }, { usedAt: now })
        : await manager.update(db.entities.AccessCode, { id: proof.accessCodeId, memberId, purpose: 'recovery', usedAt: IsNull(), revokedAt: IsNull() }, { usedAt: now });
      if (used.affected !== 1) throw new AppError('recovery_link_invalid', `${proof.kind} used or revoked before the new password was saved`);
      const member = await manager.update(db.entities.Member, { id: memberId, status: 'claimed', loginMethod: 'password' }, { passwordHash, updatedAt: now });
      if (member.affected !== 1) throw new AppError('recovery_link_invalid', 'member can no longer recover a password');
      await revokeRecoveryLinks(db, manager, memberId, now);
      await manager.update(db.entities.AccessCode, { memberId, purpose: 'recovery', usedAt: IsNull(), revokedAt: IsNull() }, { revokedAt: now });
      await within?.(manager);
      await audit({ event: 'recovery.completed', actorId: memberId, memberId, method, req }, manager);
    });
  } catch (error) {
    if (error instanceof AppError && error.code === 'recovery_link_invalid') {
      await audit({ event: proof.kind === 'link' ? 'recovery.link_refused' : 'claim.code_failed', outcome: 'failure', memberId, method, req, details: { reason: 'used_concurrently' } });
      return 'refused';
    }
    throw error;
  }
  await endOtherSessions(runtime, memberId, { reason: 'password_recovered', req });
  return 'completed';
}
