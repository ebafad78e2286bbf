import type { Request } from 'express';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { IsNull } from 'typeorm';
import type { AccessCodeRow, MemberRow } from '../db/rows.js';
import { clockWindow } from '../http/clock-window.js';
import { auditOnceAt, createLimiter, isFirstAt, remainingPoints, retryAfterSeconds } from '../http/rate-limits.js';
import { clientKey } from '../http/client-key.js';
import { normalizeEmployeeId } from '../members/normalize.js';
import type { Runtime } from '../runtime.js';
import { codeHash, hashesEqual, normalizeCode } from './code.js';
import { isCodeUsable, latestOpenCode } from './codes.js';

/** A well-formed row id that no row has (ids are random UUIDs, version 4): the stand-in when there is no row. */
const NO_SUCH_ROW = '00000000-0000-0000-0000-000000000000';
const NO_SUCH_HASH = '0'.repeat(64);

/** Why the right code was refused: what the audit row says (the member's answer is the same for every reason). */
function matchedCodeRefusal(code: AccessCodeRow, member: MemberRow, now: Date): string {
  if (code.expiresAt.getTime() <= now.getTime()) return 'code_expired';
  return code.purpose === 'recovery' ? `recovery_code_${member.status}` : `code_${member.status}`;
}

export type CodeAttempt =
  | { ok: true; member: MemberRow; code: AccessCodeRow }
  | { ok: false; reason: 'invalid' | 'locked' | 'throttled'; retryAfter?: number };

/**
 * Checks an employee ID and access code, with three brakes on guessing:
 * - per client address (a burst from one place is blocked for a while),
 * - per employee ID (the code locks after `perMember` consecutive failures; unknown IDs lock the same way, so
 *   the lock-out tells nothing about whether an ID exists),
 * - a global ceiling on failed attempts, which holds however many addresses the guesses come from; it counts per
 *   fixed window of the runtime's clock (`globalWindow` long), so the ceiling lifts when the clock says so.
 * Wrong, expired, used and revoked codes and unknown IDs all give the same `invalid`.
 */
export class AccessCodeGuard {
  private readonly perIp: RateLimiterAbstract;
  private readonly global: RateLimiterAbstract;
  private readonly unknownIds: RateLimiterAbstract;

  constructor(private readonly runtime: Runtime) {
    const limits = runtime.config.claim.accessCodeLimits;
    const ipWindow = Math.ceil(limits.perIpWindow / 1000);
    this.perIp = createLimiter(runtime, { keyPrefix: 'code-ip', points: limits.perIp, durationSeconds: ipWindow, blockSeconds: ipWindow });
    this.global = createLimiter(runtime, { keyPrefix: 'code-global', points: limits.global, durationSeconds: Math.ceil(limits.globalWindow / 1000) });
    // Unknown IDs stay locked for a week (timers in the in-process limiter cannot run longer than ~24 days).
    const unknownWindow = Math.ceil(Math.min(runtime.config.claim.accessCodeTtl, 7 * 24 * 3600 * 1000) / 1000);
    this.unknownIds = createLimiter(runtime, { keyPrefix: 'code-id', points: limits.perMember, durationSeconds: unknownWindow });
  }

  async attempt(req: Request, employeeIdInput: string, codeInput: string): Promise<CodeAttempt> {
    const { db, keys, audit } = this.runtime;
    const ip = clientKey(req, this.runtime.config.rateLimits.ipv6Prefix);
    const now = this.runtime.now();

    const window = clockWindow(now, this.runtime.config.claim.accessCodeLimits.globalWindow);
    const globalKey = `all:${window.id}`;
    const ipBlocked = (await remainingPoints(this.perIp, ip)) <= 0;
    const globalReached = (await remainingPoints(this.global, globalKey)) <= 0;
    if (ipBlocked || globalReached) {
      await this.noteThrottled(req, ip);
      const ipRetryAfter = ipBlocked ? await retryAfterSeconds([[this.perIp, ip]]) : 0;
      return { ok: false, reason: 'throttled', retryAfter: Math.max(ipRetryAfter, globalReached ? Math.ceil(window.msLeft / 1000) : 0) };
    }

    // From here on a known and an unknown employee ID cost the same work (the same queries, the same transaction,
    // the same limiter calls), so neither the answer nor its time tells whether the ID exists.
    const employeeId = normalizeEmployeeId(employeeIdInput) ?? `invalid:${employeeIdInput.trim().slice(0, 64).toUpperCase()}`;
    const member = employeeId.startsWith('invalid:') ? null : await db.source.manager.findOneBy(db.entities.Member, { employeeId });
    const current = await latestOpenCode(this.runtime.db, member?.id ?? NO_SUCH_ROW);
    const unknownIdLocked = (await remainingPoints(this.unknownIds, employeeId)) <= 0;
    if (current?.lockedAt || (!current && unknownIdLocked)) {
      await audit({ event: 'claim.code_failed', outcome: 'failure', memberId: member?.id ?? null, method: 'code', req, details: { reason: 'locked' } });
      return { ok: false, reason: 'locked' };
    }

    const normalized = normalizeCode(codeInput);
    const matches = hashesEqual(codeHash(keys.accessCodeHash, normalized ?? ''), current?.codeHash ?? NO_SUCH_HASH) && Boolean(normalized);
    if (matches && member && current && isCodeUsable(current, member, now)) return { ok: true, member, code: current };

    const [, global] = await Promise.all([this.perIp.penalty(ip), this.global.penalty(globalKey)]);
    await auditOnceAt(this.runtime, this.global, global.consumedPoints, 'reached', { event: 'claim.code_locked', outcome: 'failure', method: 'code', req, details: { scope: 'global', attempts: this.global.points } });
    const reason = !member ? 'unknown_employee_id' : !current ? 'no_usable_code' : matches ? matchedCodeRefusal(current, member, now) : 'wrong_code';
    await audit({ event: 'claim.code_failed', outcome: 'failure', memberId: member?.id ?? null, method: 'code', req, details: { reason } });
    // Both counters run for every failure; which one decides depends on whether there is a code to lock.
    const lockedCode = await this.countFailure(current?.id ?? NO_SUCH_ROW);
    const lockedId = await this.countUnknown(employeeId);
    if (!(current ? lockedCode : lockedId)) return { ok: false, reason: 'invalid' };
    await audit({ event: 'claim.code_locked', outcome: 'failure', memberId: member?.id ?? null, method: 'code', req, details: { scope: 'member', attempts: this.runtime.config.claim.accessCodeLimits.perMember } });
    return { ok: false, reason: 'locked' };
  }

  /**
   * Counts a wrong code against the code row in the database; true when this failure locked it. For an ID with no
   * code it runs the same transaction on a row id that matches nothing.
   */
  private async countFailure(codeId: string): Promise<boolean> {
    const { db } = this.runtime;
    const limit = this.runtime.config.claim.accessCodeLimits.perMember;
    return db.transaction(async (manager) => {
      await manager.increment(db.entities.AccessCode, { id: codeId }, 'failedAttempts', 1);
      const row = await manager.findOneBy(db.entities.AccessCode, { id: codeId });
      if (!row || row.failedAttempts < limit || row.lockedAt) return false;
      const locked = await manager.update(db.entities.AccessCode, { id: codeId, lockedAt: IsNull() }, { lockedAt: this.runtime.now() });
      return locked.affected === 1;
    });
  }

  private async countUnknown(employeeId: string): Promise<boolean> {
    const result = await this.unknownIds.penalty(employeeId);
    return isFirstAt(this.unknownIds, result.consumedPoints, 'reached');
  }

  private async noteThrottled(req: Request, ip: string): Promise<void> {
    // One audit row when an address first goes over the limit, not one per blocked request.
    const state = await this.perIp.penalty(ip);
    await auditOnceAt(this.runtime, this.perIp, state.consumedPoints, 'exceeded', { event: 'claim.code_failed', outcome: 'failure', method: 'code', req, details: { reason: 'throttled' } });
  }
}
