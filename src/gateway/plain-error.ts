import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppError } from '../http/errors.js';
import type { Runtime } from '../runtime.js';
import { requestIdFor } from '../http/request-id.js';
import { safeReturnPath } from '../http/return-to.js';
import { isApiRequest } from './gate.js';
import { chromeLocals } from '../http/render.js';
import { errorText } from '../http/error-text.js';
import { chooseLocale, type Locale } from '../i18n/locales.js';
import { pickedLanguage } from '../i18n/request-locale.js';

/** The gateway path reads no member: the picked language, the browser's, or the default. */
function gatewayLocale(runtime: Runtime, req: IncomingMessage): Locale {
  const header = req.headers['accept-language'];
  return chooseLocale({ picked: pickedLanguage(req.headers.cookie), acceptLanguage: Array.isArray(header) ? header[0] : header, fallback: runtime.config.i18n.defaultLocale });
}

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
  const { message } = errorText(runtime.messages.forLocale(gatewayLocale(runtime, req)), error);
  const body = JSON.stringify({ error: { code: error.code, message, requestId } });
  res.writeHead(error.status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' }).end(body);
}

/** The error answer on the framework-free gateway path: the same JSON or page as everywhere else. */
export function sendPlainError(runtime: Runtime, req: IncomingMessage, res: ServerResponse, error: AppError): void {
  if (isApiRequest(req)) return sendJsonError(runtime, req, res, error);
  const requestId = prepare(runtime, req, res, error);
  const retry = error.code === 'upstream_unavailable' || error.code === 'service_unavailable';
  const locale = gatewayLocale(runtime, req);
  const chrome = chromeLocals(runtime, locale, retry ? safeReturnPath(req.url) ?? '/' : '/login');
  const { title, message } = errorText(chrome.t, error);
  const html = runtime.views.render('error.njk', {
    ...chrome, title, code: error.code, message, errors: [], requestId,
    next: retry ? { href: safeReturnPath(req.url) ?? '/', label: 'errors.page.tryAgain' }
      : error.code === 'access_denied' ? { href: '/_claimgate/me', label: 'errors.page.home' } : { href: '/login', label: 'errors.page.signIn' },
  });
  res.writeHead(error.status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Language': locale, 'Cache-Control': 'no-store', 'Content-Security-Policy': "default-src 'self'; script-src 'none'" }).end(html);
}
