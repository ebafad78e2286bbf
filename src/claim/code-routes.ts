import type { Request, Response, Router } from 'express';
import { AccessCodeGuard } from '../access-codes/attempt.js';
import { AppError } from '../http/errors.js';
import { csrfProtection } from '../http/csrf.js';
import { renderPage } from '../http/render.js';
import type { Runtime } from '../runtime.js';
import { beginClaim, beginRecovery } from './begin.js';
import { caseSensitiveRouter } from '../http/router.js';

const ANSWERS = {
  invalid: { status: 400, message: 'claim.code.invalid' },
  locked: { status: 429, message: 'claim.code.locked' },
  throttled: { status: 429, message: 'claim.code.throttled' },
} as const;

function field(req: Request, name: string): string {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.slice(0, 100) : '';
}

/** Claim with an access code: for members without email, who identify with their employee ID and the printed code. */
export function codeRoutes(runtime: Runtime): Router {
  const { config } = runtime;
  const router = caseSensitiveRouter();
  const guard = new AccessCodeGuard(runtime);

  function show(req: Request, res: Response, employeeId = '', errors: Array<{ field: string; message: string }> = [], status = 200) {
    res.set('Referrer-Policy', 'no-referrer');
    renderPage(runtime, req, res, 'claim/code.njk', { title: 'claim.code.title', employeeId, errors }, status);
  }

  router.use('/claim/code', (_req, _res, next) => next(config.claim.methods.accessCode ? undefined : new AppError('not_found', 'access codes off')));

  router.get('/claim/code', (req, res) => show(req, res));

  router.post('/claim/code', csrfProtection, async (req, res) => {
    const employeeId = field(req, 'employeeId');
    const attempt = await guard.attempt(req, employeeId, field(req, 'code'));
    if (!attempt.ok) {
      const answer = ANSWERS[attempt.reason];
      runtime.metrics.claimOutcomes.inc({ method: 'code', outcome: attempt.reason });
      if (attempt.reason !== 'invalid') runtime.metrics.rateLimitHits.inc({ limiter: attempt.reason === 'locked' ? 'access-code-member' : 'access-code' });
      if (attempt.retryAfter) res.set('Retry-After', String(attempt.retryAfter));
      return show(req, res, employeeId, [{ field: attempt.reason === 'invalid' ? 'code' : 'employeeId', message: answer.message }], answer.status);
    }
    // A recovery code opens only the new-password step of a claimed member.
    if (attempt.code.purpose === 'recovery') return beginRecovery(runtime, req, res, attempt.member, attempt.code.id);
    await beginClaim(runtime, req, res, attempt.member, { method: 'code', accessCodeId: attempt.code.id });
  });

  return router;
}
