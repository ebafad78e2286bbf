import type { ErrorRequestHandler, Request, Response } from 'express';
import type { Runtime } from '../runtime.js';
import { AppError } from './errors.js';
import { errorText } from './error-text.js';
import { useLocale } from '../i18n/request-locale.js';
import { renderPage, wantsJson } from './render.js';
import { isBackendUnavailable } from './unavailable.js';
import { boundedAudit } from './bounded-audit.js';
import { clientKey } from './client-key.js';
import { redactText } from '../logging/logger.js';

function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const e = error as { code?: string; status?: number; type?: string; message?: string };
  // The router could not percent-decode a route parameter: the client's mistake, and its text may carry a claim token.
  // (Only the router's URIError carries a 400; any other URIError is claimgate's own bug and stays a 500.)
  if (error instanceof URIError && e.status === 400) return new AppError('bad_request', 'malformed percent escape in a route parameter');
  if (e?.code === 'EBADCSRFTOKEN') return new AppError('csrf_invalid', 'csrf token missing or wrong');
  // A form or JSON body over the parsers' limit is a request body, not an upload: said so.
  if (e?.type === 'entity.too.large' || e?.type === 'parameters.too.many') return new AppError('payload_too_large', e.message, 'The request body is too large.', 'errors.payload_too_large.body');
  if (e?.code === 'LIMIT_FILE_SIZE') return new AppError('payload_too_large', e.message);
  // The body parsers' own refusals (unsupported charset or encoding, bad JSON): a 4xx they mark as safe to show.
  if ((e as { expose?: boolean })?.expose && typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return new AppError('bad_request', e.message);
  if (e?.type === 'entity.parse.failed' || e?.code?.startsWith?.('LIMIT_')) return new AppError('bad_request', e.message);
  // busboy (under multer) reports a malformed multipart body with a plain Error.
  if (/multipart|boundary|unexpected end of form|malformed part header/i.test(e?.message ?? '')) return new AppError('bad_request', e.message);
  if (isBackendUnavailable(error)) return new AppError('service_unavailable', e?.message ?? String(error));
  return new AppError('internal', e?.message ?? String(error));
}

export function sendError(runtime: Runtime, req: Request, res: Response, error: AppError): void {
  if (!req.t) useLocale(runtime, req);
  const { title, message } = errorText(req.t, error);
  if (wantsJson(req)) {
    res.status(error.status).set('Cache-Control', 'no-store').set('Content-Language', req.locale).json({ error: { code: error.code, message, requestId: req.id } });
    return;
  }
  // An error page has no form of its own: it starts no session for an anonymous visitor.
  const next = error.code === 'claim_step_out_of_order' || error.code === 'username_taken'
    ? { href: '/claim/flow', label: 'errors.page.continueFlow' }
    : req.session?.memberId ? { href: '/', label: 'errors.page.home' } : { href: '/login', label: 'errors.page.signIn' };
  renderPage(runtime, req, res, 'error.njk', { title, code: error.code, message, requestId: req.id, next }, error.status, { csrf: Boolean(req.session?.memberId) });
}

/** The one place errors become responses: a readable page or JSON with a stable code; internals stay in the log. */
export function errorHandler(runtime: Runtime): ErrorRequestHandler {
  // A token-less POST costs an attacker nothing: its rows are bounded per client address and window.
  const auditCsrfRefusal = boundedAudit(runtime, { name: 'csrf', rows: 10, windowSeconds: 15 * 60 });
  return async (error: unknown, req, res, _next) => {
    const appError = toAppError(error);
    // A detail may quote what the client sent (a parser's message): logged with claim tokens cut out, like error text.
    const detail = redactText(appError.detail);
    if (appError.expose) req.log?.info({ code: appError.code, detail }, 'request refused');
    else if (appError.code === 'service_unavailable') req.log?.error({ code: appError.code, detail }, 'backing service unavailable');
    else req.log?.error({ err: error }, 'request failed');
    if (appError.code === 'csrf_invalid') {
      // Written before the answer, so a refusal the client has seen is on the record; a failing audit store still answers.
      await auditCsrfRefusal(clientKey(req, runtime.config.rateLimits.ipv6Prefix), { event: 'request.csrf_rejected', outcome: 'failure', req, details: { path: req.path.startsWith('/claim/') ? '/claim/…' : req.path } })
        .catch((auditError: unknown) => req.log?.error({ err: auditError }, 'csrf refusal not audited'));
    }
    if (res.headersSent) return;
    if (appError.code === 'service_unavailable') res.set('Retry-After', '5');
    sendError(runtime, req, res, appError);
  };
}
