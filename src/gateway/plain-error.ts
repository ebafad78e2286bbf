import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppError } from '../http/errors.js';
import type { Runtime } from '../runtime.js';
import { requestIdFor } from '../http/request-id.js';
import { safeReturnPath } from '../http/return-to.js';
import { isApiRequest } from './gate.js';

/** Headers and the log line every gateway error answer has; returns the request id the answer names. */
function prepare(runtime: Runtime, req: IncomingMessage, res: ServerResponse, error: AppError): string {
  const requestId = requestIdFor(req);
  res.setHeader('X-Request-Id', requestId);
  if (error.code === 'service_unavailable') res.setHeader('Retry-After', '5');
  // A fault on our side or the upstream's is logged with the id the member sees, so support can find it.
  if (error.status >= 500) runtime.logger.error({ requestId, errorCode: error.code, detail: error.detail }, 'gateway request failed');
  return requestId;
}

/** The JSON error answer, for API callers and forward auth: `{ error: { code, message, requestId } }`. */
export function sendJsonError(runtime: Runtime, req: IncomingMessage, res: ServerResponse, error: AppError): void {
  const requestId = prepare(runtime, req, res, error);
  const body = JSON.stringify({ error: { code: error.code, message: error.publicMessage, requestId } });
  res.writeHead(error.status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' }).end(body);
}

/** The error answer on the framework-free gateway path: the same JSON or page as everywhere else. */
export function sendPlainError(runtime: Runtime, req: IncomingMessage, res: ServerResponse, error: AppError): void {
  if (isApiRequest(req)) return sendJsonError(runtime, req, res, error);
  const requestId = prepare(runtime, req, res, error);
  const retry = error.code === 'upstream_unavailable' || error.code === 'service_unavailable';
  const html = runtime.views.render('error.njk', {
    title: 'Something is not right', code: error.code, message: error.publicMessage, errors: [], requestId,
    next: retry ? { href: safeReturnPath(req.url) ?? '/', label: 'Try again' }
      : error.code === 'access_denied' ? { href: '/_claimgate/me', label: 'Go to your account' } : { href: '/login', label: 'Go to sign in' },
  });
  res.writeHead(error.status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Security-Policy': "default-src 'self'; script-src 'none'" }).end(html);
}
