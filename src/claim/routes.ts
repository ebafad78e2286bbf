import type { NextFunction, Request, Response, Router } from 'express';
import multer from 'multer';
import { AppError } from '../http/errors.js';
import { csrfBeforeBody, csrfProtection } from '../http/csrf.js';
import { auditOnceAt, createLimiter, remainingPoints, retryAfterSeconds } from '../http/rate-limits.js';
import { clientKey } from '../http/client-key.js';
import { useLocale } from '../i18n/request-locale.js';
import { renderPage } from '../http/render.js';
import { redactUrl } from '../logging/logger.js';
import type { Runtime } from '../runtime.js';
import { regenerateSession, signIn } from '../session/session.js';
import { auditMethod, completeFlow } from './complete.js';
import { claimProviderFor, claimRequiresSso } from './sso-gate.js';
import { beginSso } from '../sso/start.js';
import { requireLiveFlow, type LiveFlow } from './flow-guard.js';
import { applyEvent, type Flow } from './flow.js';
import { beginClaim, stepPath } from './begin.js';
import { findUsableLink } from './links.js';
import { IllegalTransition, isStepId, reduce, type StepId } from './machine.js';
import { STEPS } from './steps/index.js';
import type { FieldError, StepContext } from './steps/step.js';
import { caseSensitiveRouter } from '../http/router.js';
import { safeReturnPath } from '../http/return-to.js';

const LINK_TOKEN = /^[0-9a-f]{32}[A-Za-z0-9_-]{43}$/;

/** Claim pages carry secrets in their URL or form: never send a Referer from them, never cache them. */
function claimHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.set('Referrer-Policy', 'no-referrer');
  next();
}

export function claimRoutes(runtime: Runtime): Router {
  const { db, config, keys, audit } = runtime;
  const router = caseSensitiveRouter();
  router.use('/claim', claimHeaders);
  // Unusable links opened or submitted from one address: past the limit, every link from there waits, valid or not.
  // Only failures count, so a whole office behind one address opening their real links is never slowed down.
  const linkFailures = createLimiter(runtime, { keyPrefix: 'link-ip', points: 20, durationSeconds: 15 * 60, blockSeconds: 15 * 60 });

  async function refuseIfThrottled(req: Request, res: Response): Promise<void> {
    const ip = clientKey(req, config.rateLimits.ipv6Prefix);
    if ((await remainingPoints(linkFailures, ip)) > 0) return;
    runtime.metrics.rateLimitHits.inc({ limiter: 'claim-link' });
    res.set('Retry-After', String(await retryAfterSeconds([[linkFailures, ip]])));
    throw new AppError('rate_limited', 'claim link attempts from this address are blocked');
  }

  async function rejectLink(req: Request, detail: string): Promise<never> {
    const ip = clientKey(req, config.rateLimits.ipv6Prefix);
    runtime.metrics.claimOutcomes.inc({ method: 'link', outcome: 'rejected' });
    const state = await linkFailures.penalty(ip);
    await audit({ event: 'claim.link_rejected', outcome: 'failure', method: 'link', req, details: { path: redactUrl(req.path) } });
    // One audit row when an address reaches the limit, not one per blocked request.
    await auditOnceAt(runtime, linkFailures, state.consumedPoints, 'reached', { event: 'claim.link_rejected', outcome: 'failure', method: 'link', req, details: { reason: 'throttled', attempts: linkFailures.points } });
    throw new AppError('claim_link_invalid', detail);
  }


  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: config.firstAccess.profile.pictureMaxBytes, files: 1, fields: 20, fieldSize: 4096, parts: 24 },
  }).single('picture');

  /** Parses the picture form; an oversized file becomes a field error on the page, not a crash. */
  function multipartForProfile(req: Request, res: Response, next: NextFunction): void {
    if (req.params.step !== 'profile' || !req.is('multipart/form-data')) return next();
    // Nobody without a claim in progress gets a file buffered in memory.
    if (!req.session?.flowId) return next(new AppError('claim_flow_missing', 'upload without a flow'));
    csrfBeforeBody(req, res, (refusal?: unknown) => (refusal ? next(refusal) : receivePicture(req, res, next)));
  }

  function receivePicture(req: Request, res: Response, next: NextFunction): void {
    upload(req, res, (error: unknown) => {
      if ((error as { code?: string })?.code === 'LIMIT_FILE_SIZE') {
        (req as { uploadError?: FieldError }).uploadError = {
          field: 'picture',
          message: 'claim.profile.pictureTooLarge',
          params: { size: Math.round(config.firstAccess.profile.pictureMaxBytes / 1024 / 1024) },
        };
        return next();
      }
      next(error);
    });
  }

  async function renderStep(req: Request, res: Response, live: LiveFlow, step: StepId, errors: FieldError[] = [], overrides: Record<string, unknown> = {}, status = 200) {
    const ctx: StepContext = { runtime, req, ...live };
    const module = STEPS[step];
    const locals = await module.locals(ctx);
    const position = live.flow.plan.indexOf(step) + 1;
    renderPage(runtime, req, res, module.template, {
      title: module.title, ...locals, ...overrides,
      errors: errors.length ? errors : ((locals.errors as FieldError[] | undefined) ?? []), step, position, total: live.flow.plan.length, action: stepPath(step),
    }, status);
  }

  async function finish(req: Request, res: Response, flow: Flow): Promise<void> {
    if ((await completeFlow(runtime, flow, req)) === 'username_taken') return res.redirect(303, '/claim/flow/username?taken=1');
    if (flow.row.purpose === 'recover') {
      // Nobody is signed in by a recovery code: the member signs in with their username and the new password.
      const member = await db.source.manager.findOneBy(db.entities.Member, { id: flow.row.memberId });
      await regenerateSession(req);
      return renderPage(runtime, req, res, 'recovery/done.njk', { title: 'recovery.done.title', username: member?.username ?? member?.employeeId ?? '' });
    }
    // An SSO claim keeps how it began, so that signing out also ends the provider's session; a member who re-accepted
    // terms keeps the sign-in time they had.
    const { sso, authenticatedAt } = req.session;
    await signIn(req, flow.row.memberId, runtime.now(), { ...(sso ? { sso } : {}), ...(authenticatedAt ? { authenticatedAt } : {}) });
    // Checked again where it is followed: a flow saved before the check refused dot segments may hold `//host`.
    res.redirect(303, safeReturnPath(flow.data.returnTo) ?? config.upstream.landingPath);
  }

  router.get('/claim/flow', async (req, res) => {
    const { flow } = await requireLiveFlow(runtime, req);
    res.redirect(303, stepPath(flow.state));
  });

  // A flow whose last step was saved but whose completion did not happen (a crash in between) finishes here.
  router.get('/claim/flow/finish', async (req, res) => {
    const { flow } = await requireLiveFlow(runtime, req);
    if (flow.state !== 'done') return res.redirect(303, stepPath(flow.state));
    renderPage(runtime, req, res, 'claim/finish.njk', { title: 'claim.finish.title', action: '/claim/flow/finish' });
  });

  router.post('/claim/flow/finish', csrfProtection, async (req, res) => {
    const { flow } = await requireLiveFlow(runtime, req);
    if (flow.state !== 'done') throw new AppError('claim_step_out_of_order', `finish while at ${flow.state}`);
    await finish(req, res, flow);
  });

  router.get('/claim/flow/:step', async (req, res) => {
    const live = await requireLiveFlow(runtime, req);
    const step = String(req.params.step);
    if (step !== live.flow.state || !isStepId(step)) return res.redirect(303, stepPath(live.flow.state));
    await renderStep(req, res, live, step);
  });

  router.post('/claim/flow/:step', multipartForProfile, csrfProtection, async (req, res) => {
    const live = await requireLiveFlow(runtime, req);
    const { flow, member } = live;
    const step = String(req.params.step);
    // Asked of the machine before the step does any work: a crafted POST that skips ahead or replays a step stops here.
    try {
      reduce(flow, { type: 'submit', step });
    } catch (error) {
      if (!(error instanceof IllegalTransition)) throw error;
      await audit({ event: 'claim.step_rejected', outcome: 'failure', memberId: member.id, method: auditMethod(flow), req, details: { flowId: flow.row.id, submitted: step.slice(0, 32), current: flow.state } });
      throw new AppError('claim_step_out_of_order', error.message);
    }
    const stepId = step as StepId;
    const outcome = await STEPS[stepId].submit({ runtime, req, flow, member });
    if (!outcome.ok) return renderStep(req, res, live, stepId, outcome.errors, outcome.locals, outcome.status ?? 400);
    const saved = await db.transaction(async (manager) => {
      const next = await applyEvent(db, manager, flow, { type: 'submit', step }, runtime.now(), outcome.data);
      if (next) await audit({ event: 'claim.step_completed', actorId: member.id, memberId: member.id, req, details: { flowId: flow.row.id, step: stepId } }, manager);
      return next;
    });
    if (!saved) throw new AppError('claim_step_out_of_order', 'flow changed concurrently');
    if (saved.state !== 'done') return res.redirect(303, stepPath(saved.state));
    await finish(req, res, saved);
  });

  // Registered last: /claim/flow/... must not be read as a token.
  // Opening a link shows what it is for and consumes nothing: mail scanners fetch links with GET and HEAD.
  router.get('/claim/:token', async (req, res) => {
    if (!config.claim.methods.link) throw new AppError('not_found', 'claim links off');
    await refuseIfThrottled(req, res);
    const token = String(req.params.token);
    const usable = LINK_TOKEN.test(token) ? await findUsableLink(db, keys.claimLink, token, runtime.now()) : undefined;
    if (!usable) return rejectLink(req, 'unusable link opened');
    await audit({ event: 'claim.link_opened', memberId: usable.member.id, method: 'link', req, details: { httpMethod: req.method } });
    // The invited member is known from the link: the page speaks their stored language.
    useLocale(runtime, req, usable.member.locale);
    renderPage(runtime, req, res, 'claim/start.njk', {
      title: 'claim.start.title', action: `/claim/${token}`, email: usable.member.email, name: usable.member.name,
      expiresAt: usable.link.expiresAt, sso: claimRequiresSso(config, usable.member) && Boolean(claimProviderFor(config, usable.member)),
    });
  });

  router.post('/claim/:token', csrfProtection, async (req, res) => {
    if (!config.claim.methods.link) throw new AppError('not_found', 'claim links off');
    await refuseIfThrottled(req, res);
    const token = String(req.params.token);
    const usable = LINK_TOKEN.test(token) ? await findUsableLink(db, keys.claimLink, token, runtime.now()) : undefined;
    if (!usable) return rejectLink(req, 'unusable link submitted');
    if (claimRequiresSso(config, usable.member)) {
      // The identity provider comes before any step; its answer must be this member (src/sso/finish.ts).
      const provider = config.claim.methods.sso ? claimProviderFor(config, usable.member) : undefined;
      if (!provider) throw new AppError('claim_requires_sso', 'link claim for an SSO member with no provider');
      return beginSso(req, res, runtime, { providerId: provider.id, claimLinkId: usable.link.id });
    }
    await beginClaim(runtime, req, res, usable.member, { method: 'link', linkId: usable.link.id });
  });

  return router;
}
