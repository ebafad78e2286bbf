import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppError } from '../http/errors.js';
import type { Runtime } from '../runtime.js';
import { isApiRequest } from './gate.js';

/** The error answer on the framework-free gateway path: the same JSON or page as everywhere else. */
export function sendPlainError(runtime: Runtime, req: IncomingMessage, res: ServerResponse, error: AppError): void {
  if (error.code === 'service_unavailable') res.setHeader('Retry-After', '5');
  if (isApiRequest(req)) {
    const body = JSON.stringify({ error: { code: error.code, message: error.publicMessage } });
    res.writeHead(error.status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' }).end(body);
    return;
  }
  const html = runtime.views.render('error.njk', {
    title: 'Something is not right', code: error.code, message: error.publicMessage, errors: [],
    next: { href: '/login', label: 'Go to sign in' },
  });
  res.writeHead(error.status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Security-Policy': "default-src 'self'; script-src 'none'" }).end(html);
}
