import argon2 from 'argon2';
import type { NextFunction, Request, Response, Router } from 'express';
import { passwordProblems } from '../auth/password-policy.js';
import type { FieldError } from '../claim/steps/step.js';
import { boundedAudit } from '../http/bounded-audit.js';
import { clientKey } from '../http/client-key.js';
import { csrfProtection } from '../http/csrf.js';
import { AppError } from '../http/errors.js';
import { auditOnceAt, createLimiter, remainingPoints, retryAfterSeconds } from '../http/rate-limits.js';
import { renderPage } from '../http/render.js';
import { caseSensitiveRouter } from '../http/router.js';
import type { MemberRow } from '../db/rows.js';
import type { Runtime } from '../runtime.js';
import { signIn } from '../session/session.js';
import { completeRecovery } from './complete.js';
import { findUsableRecoveryLink, type UsableRecoveryLink } from './links.js';
import { RecoveryRequests } from './request.js';

const LINK_TOKEN = /^[0-9a-f]{32}[A-Za-z0-9_-]{43}$/;

function field(req: Request, name: string): string {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}

/** Pages that carry a recovery token in their URL never send a Referer and are never cached. */
function noReferrer(_req: Request, res: Response, next: NextFunction): void {
  res.set('Referrer-Policy', 'no-referrer');
  next();
}

/** The new password must pass the claim's policy, without the member's own names in it. */
export function newPasswordProblems(runtime: Runtime, member: MemberRow, password: string, confirm: string): FieldError[] {
  const identifiers = [member.email?.split('@')[0], member.username, member.name, member.firstName, member.lastName, member.employeeId];
  const errors = passwordProblems(password, runtime.config.firstAccess.password, identifiers).map((problem): FieldError => ({ field: 'password', ...problem }));
  if (!errors.length && password !== confirm) errors.push({ field: 'confirm', message: 'claim.password.mismatch' });
  return errors;
}

export function hashNewPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

/**
 * Forgot password: `/recover` asks for the email and answers the same for every input; `/recover/:token` is the
 * link from the mail. Opening the link (GET, HEAD) shows the new-password form and changes nothing, so a mail
 * scanner cannot use it up; only the form's POST uses it, once.
 */
export function recoveryRoutes(runtime: Runtime): Router {
  const { db, config, keys } = runtime;
  const router = caseSensitiveRouter();
  const requests = new RecoveryRequests(runtime);
  // Unusable links from one address: past the limit every link from there waits, valid or not. Only failures count.
  const linkFailures = createLimiter(runtime, { keyPrefix: 'recovery-link-ip', points: 20, durationSeconds: 15 * 60, blockSeconds: 15 * 60 });
  const refusalAudit = boundedAudit(runtime, { name: 'recovery-link', rows: 20, windowSeconds: 15 * 60 });
  // A scanner may open a valid link over and over: its rows are bounded per client too.
  const openedAudit = boundedAudit(runtime, { name: 'recovery-open', rows: 20, windowSeconds: 15 * 60 });

  router.use('/recover', noReferrer, (_req, _res, next) => next(config.recovery.enabled ? undefined : new AppError('not_found', 'recovery off')));

  function showRequestForm(req: Request, res: Response, email = '', errors: FieldError[] = [], status = 200) {
    renderPage(runtime, req, res, 'recovery/forgot.njk', { title: 'recovery.forgot.title', email, errors, accessCodes: config.claim.methods.accessCode }, status);
  }

  router.get('/recover', (req, res) => showRequestForm(req, res));

  router.post('/recover', csrfProtection, async (req, res) => {
    const email = field(req, 'email').trim().slice(0, 320);
    if (!email) return showRequestForm(req, res, '', [{ field: 'email', message: 'recovery.forgot.emailMissing' }], 400);
    const answer = await requests.request(req, email);
    if (!answer.ok) {
      res.set('Retry-After', String(answer.retryAfter));
      return showRequestForm(req, res, email, [{ field: 'email', message: 'recovery.forgot.tooMany' }], 429);
    }
    // The same page for every address: no form, no token, nothing that depends on what was typed.
    renderPage(runtime, req, res, 'recovery/sent.njk', { title: 'recovery.sent.title' }, 200, { csrf: false });
  });

  async function refuseIfThrottled(req: Request, res: Response): Promise<void> {
    const ip = clientKey(req, config.rateLimits.ipv6Prefix);
    if ((await remainingPoints(linkFailures, ip)) > 0) return;
    runtime.metrics.rateLimitHits.inc({ limiter: 'recovery-link' });
    res.set('Retry-After', String(await retryAfterSeconds([[linkFailures, ip]])));
    throw new AppError('rate_limited', 'recovery link attempts from this address are blocked');
  }

  /** Used, expired, superseded, forged: one page for all of them. */
  async function refuseLink(req: Request, detail: string): Promise<never> {
    const ip = clientKey(req, config.rateLimits.ipv6Prefix);
    const state = await linkFailures.penalty(ip);
    await refusalAudit(ip, { event: 'recovery.link_refused', outcome: 'failure', method: 'link', req, details: { httpMethod: req.method } });
    await auditOnceAt(runtime, linkFailures, state.consumedPoints, 'reached', { event: 'recovery.link_refused', outcome: 'failure', method: 'link', req, details: { reason: 'throttled', attempts: linkFailures.points } });
    throw new AppError('recovery_link_invalid', detail);
  }

  async function usableLink(req: Request, res: Response): Promise<UsableRecoveryLink> {
    await refuseIfThrottled(req, res);
    const token = String(req.params.token);
    const usable = LINK_TOKEN.test(token) ? await findUsableRecoveryLink(db, config, keys.recoveryLink, token, runtime.now()) : undefined;
    return usable ?? refuseLink(req, `unusable recovery link (${req.method})`);
  }

  function showPasswordForm(req: Request, res: Response, usable: UsableRecoveryLink, errors: FieldError[] = [], status = 200) {
    const { minLength, maxLength } = config.firstAccess.password;
    renderPage(runtime, req, res, 'recovery/password.njk', {
      title: 'recovery.password.title', action: `/recover/${String(req.params.token)}`, accountName: usable.member.email ?? usable.member.username ?? '',
      minLength, maxLength, expiresAt: usable.link.expiresAt, errors,
    }, status);
  }

  // Express answers HEAD with this route too (without the body): both only read.
  router.get('/recover/:token', async (req, res) => {
    const usable = await usableLink(req, res);
    await openedAudit(clientKey(req, config.rateLimits.ipv6Prefix), { event: 'recovery.link_opened', memberId: usable.member.id, method: 'link', req, details: { httpMethod: req.method } });
    showPasswordForm(req, res, usable);
  });

  router.post('/recover/:token', csrfProtection, async (req, res) => {
    const usable = await usableLink(req, res);
    const password = field(req, 'password');
    const errors = newPasswordProblems(runtime, usable.member, password, field(req, 'confirm'));
    if (errors.length) return showPasswordForm(req, res, usable, errors, 400);
    const outcome = await completeRecovery(runtime, usable.member.id, await hashNewPassword(password), { kind: 'link', linkId: usable.link.id }, req);
    if (outcome === 'refused') throw new AppError('recovery_link_invalid', 'recovery link used concurrently');
    // A fresh session id: whatever session this browser had before is gone with the others.
    await signIn(req, usable.member.id, runtime.now());
    res.redirect(303, config.upstream.landingPath);
  });

  return router;
}
