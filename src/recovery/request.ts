import type { Request } from 'express';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { MemberRow } from '../db/rows.js';
import { boundedAudit } from '../http/bounded-audit.js';
import { clientKey } from '../http/client-key.js';
import { clockWindow } from '../http/clock-window.js';
import { consumeOrRefusal, createLimiter, isFirstAt } from '../http/rate-limits.js';
import { findMemberByEmail } from '../members/lookup.js';
import { isEmail, normalizeEmail } from '../members/normalize.js';
import type { Runtime } from '../runtime.js';
import { canRecoverPassword } from './eligibility.js';
import { issueRecoveryLink, recoveryUrl } from './links.js';
import { sendRecoveryMail } from './mail.js';

export type RequestAnswer = { ok: true } | { ok: false; retryAfter: number };

/**
 * The forgot-password request. Every input gets the same answer: unknown, SSO, deactivated and not yet claimed
 * accounts are told exactly what a real one is, after the same minimum time (`recovery.answerTime`), and the mail
 * leaves after the answer, so neither the page nor its timing says whether an account exists. Brakes:
 * - per client address and a global ceiling on requests: past them everyone gets "wait" (which tells nothing),
 * - per account: past it no more mail goes out, and the answer stays the same.
 */
export class RecoveryRequests {
  private readonly perIp: RateLimiterAbstract;
  private readonly perAccount: RateLimiterAbstract;
  private readonly global: RateLimiterAbstract;
  private readonly auditBounded: ReturnType<typeof boundedAudit>;

  constructor(private readonly runtime: Runtime) {
    const limits = runtime.config.recovery.limits;
    const ipWindow = Math.ceil(limits.perIpWindow / 1000);
    this.perIp = createLimiter(runtime, { keyPrefix: 'recovery-ip', points: limits.perIp, durationSeconds: ipWindow, blockSeconds: ipWindow });
    this.perAccount = createLimiter(runtime, { keyPrefix: 'recovery-account', points: limits.perAccount, durationSeconds: Math.ceil(limits.perAccountWindow / 1000) });
    this.global = createLimiter(runtime, { keyPrefix: 'recovery-global', points: limits.global, durationSeconds: Math.ceil(limits.globalWindow / 1000) });
    // Anyone can ask for any address: the rows this writes are bounded per client.
    this.auditBounded = boundedAudit(runtime, { name: 'recovery-request', rows: 20, windowSeconds: 15 * 60 });
  }

  async request(req: Request, emailInput: string): Promise<RequestAnswer> {
    const started = performance.now();
    try {
      return await this.handle(req, emailInput);
    } finally {
      const left = this.runtime.config.recovery.answerTime - (performance.now() - started);
      if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
    }
  }

  private async handle(req: Request, emailInput: string): Promise<RequestAnswer> {
    const { runtime } = this;
    const ip = clientKey(req, runtime.config.rateLimits.ipv6Prefix);
    const window = clockWindow(runtime.now(), runtime.config.recovery.limits.globalWindow);
    const [ipRefusal, globalRefusal] = await Promise.all([consumeOrRefusal(this.perIp, ip), consumeOrRefusal(this.global, `all:${window.id}`)]);
    if (ipRefusal || globalRefusal) {
      runtime.metrics.rateLimitHits.inc({ limiter: 'recovery' });
      const first = (ipRefusal && isFirstAt(this.perIp, ipRefusal.consumedPoints, 'exceeded')) || (globalRefusal && isFirstAt(this.global, globalRefusal.consumedPoints, 'exceeded'));
      if (first) await runtime.audit({ event: 'recovery.requested', outcome: 'failure', req, details: { reason: 'throttled', scope: ipRefusal ? 'address' : 'global' } });
      return { ok: false, retryAfter: Math.max(ipRefusal?.retryAfter ?? 0, globalRefusal ? Math.ceil(window.msLeft / 1000) : 0) };
    }

    const email = isEmail(emailInput) ? normalizeEmail(emailInput) : undefined;
    const member = email ? await findMemberByEmail(runtime.db, email) : null;
    const accountRefusal = await consumeOrRefusal(this.perAccount, email ?? `invalid:${emailInput.slice(0, 64).toLowerCase()}`);
    const eligible = member !== null && canRecoverPassword(runtime.config, member);
    if (!eligible || accountRefusal) {
      const reason = !member ? 'unknown_email' : !eligible ? `not_allowed:${member.status}:${member.loginMethod}` : 'account_limit';
      if (!accountRefusal || isFirstAt(this.perAccount, accountRefusal.consumedPoints, 'exceeded')) {
        await this.auditBounded(ip, { event: 'recovery.requested', outcome: 'failure', memberId: member?.id ?? null, req, details: { reason } });
      }
      return { ok: true };
    }
    await issueAndSend(runtime, member, { actorId: null, req, onBehalf: (entry) => this.auditBounded(ip, entry) });
    return { ok: true };
  }
}

export interface IssueOptions {
  /** The admin who sent it; null when the member asked. */
  actorId: string | null;
  req?: Request;
  /** How the `recovery.requested` row is written (bounded per client when anyone can cause it). */
  onBehalf?: (entry: Parameters<Runtime['audit']>[0]) => Promise<void>;
  /** Wait for the mail (the admin and the CLI want to know it left); otherwise it leaves after the answer. */
  awaitMail?: boolean;
}

/** Issues a new recovery link (the older one dies) and mails it. */
export async function issueAndSend(runtime: Runtime, member: MemberRow, options: IssueOptions): Promise<{ expiresAt: Date }> {
  const { db, config, keys } = runtime;
  const now = runtime.now();
  const link = await db.transaction((manager) => issueRecoveryLink(db, manager, member.id, config.recovery.linkTtl, now));
  const entry = { event: 'recovery.requested' as const, actorId: options.actorId, memberId: member.id, req: options.req, details: { expiresAt: link.expiresAt.toISOString() } };
  await (options.onBehalf ? options.onBehalf(entry) : runtime.audit(entry));
  const sending = sendRecoveryMail(runtime, member, recoveryUrl(config.baseUrl, keys.recoveryLink, link.id), link.expiresAt);
  if (options.awaitMail) await sending;
  else sending.catch((error: Error) => runtime.logger.error({ err: { message: error.message }, memberId: member.id }, 'could not send a recovery mail'));
  return { expiresAt: link.expiresAt };
}
