import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { AppError, type ErrorCode } from '../http/errors.js';
import { renderPage, wantsJson } from '../http/render.js';
import type { Runtime } from '../runtime.js';

type SsoErrorCode = Extract<ErrorCode, `sso_${string}`>;

/** An SSO answer refused by a check: `reason` is a stable code for the audit row, `detail` stays server-side. */
export class SsoFailure extends AppError {
  constructor(
    readonly reason: string,
    detail: string,
    code: SsoErrorCode = 'sso_failed',
  ) {
    super(code, detail);
    this.name = 'SsoFailure';
  }
}

export function ssoFailure(reason: string, detail: string, code: SsoErrorCode = 'sso_failed'): SsoFailure {
  return new SsoFailure(reason, detail, code);
}

const BASE32 = 'ABCDEFGHJKMNPQRSTVWXYZ0123456789';

/** A short id the member can read out to support; the audit row carries the same one. */
export function newTraceId(): string {
  return [...randomBytes(10)].map((byte) => BASE32[byte % 32]).join('');
}

/**
 * Keeps a failure's detail useful without carrying what must never be stored: tokens, assertions, codes,
 * long opaque values, query strings.
 */
export function redactDetail(detail: string): string {
  return detail
    .replace(/eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(\.[A-Za-z0-9_-]*)?/g, '[token]')
    .replace(/\?[^\s"']*/g, '?[…]')
    .replace(/[A-Za-z0-9+/_=-]{40,}/g, '[opaque]')
    .replace(/[\u0000-\u001f\u007f]/g, ' ')
    .slice(0, 300);
}

export type SsoFailureEvent = 'claim.sso_failed' | 'claim.sso_mismatch' | 'login.failed';

export interface SsoFailureArgs {
  providerId: string;
  reason: string;
  detail?: string;
  traceId: string;
  event?: SsoFailureEvent;
  memberId?: string | null;
  code?: SsoErrorCode;
}

/**
 * Writes the audit row and answers with a readable page (or JSON) that shows the trace id. Creates no session.
 */
export async function renderSsoFailure(req: Request, res: Response, runtime: Runtime, args: SsoFailureArgs): Promise<void> {
  const event = args.event ?? 'login.failed';
  const code: SsoErrorCode = args.code ?? (event === 'claim.sso_mismatch' ? 'sso_mismatch' : 'sso_failed');
  const error = new AppError(code, args.detail);
  await runtime.audit({
    event, outcome: 'failure', method: 'sso', memberId: args.memberId ?? null, traceId: args.traceId, req,
    details: { provider: args.providerId, reason: args.reason, traceId: args.traceId, detail: redactDetail(args.detail ?? '') },
  });
  req.log?.info({ sso: { provider: args.providerId, reason: args.reason, traceId: args.traceId } }, 'sso refused');
  // Labels from closed lists only: a provider id from the URL that is not configured counts as "unknown".
  const provider = runtime.config.sso.providers.some((known) => known.id === args.providerId) ? String(args.providerId) : 'unknown';
  runtime.metrics.ssoFailures.inc({ provider, reason: code });
  if (res.headersSent) return;
  if (wantsJson(req)) {
    res.status(error.status).set('Cache-Control', 'no-store').json({ error: { code, message: req.t(`errors.${code}.message`), traceId: args.traceId } });
    return;
  }
  renderPage(runtime, req, res, 'sso/failure.njk', {
    title: code === 'sso_mismatch' ? 'sso.mismatchTitle' : `errors.${code}.title`,
    message: req.t(`errors.${code}.message`), code, traceId: args.traceId,
  }, error.status, { csrf: false });
}

/** Turns anything a protocol route threw into the failure page; a bug still shows a trace id, not a stack. */
export async function handleSsoError(req: Request, res: Response, runtime: Runtime, error: unknown, context: { providerId: string; traceId: string; event?: SsoFailureEvent }): Promise<void> {
  if (error instanceof SsoFailure) {
    return renderSsoFailure(req, res, runtime, { ...context, reason: error.reason, detail: error.detail, code: error.code as SsoErrorCode });
  }
  req.log?.error({ err: error, traceId: context.traceId }, 'sso failed unexpectedly');
  const message = error instanceof Error ? error.message : String(error);
  return renderSsoFailure(req, res, runtime, { ...context, reason: 'internal', detail: message });
}
