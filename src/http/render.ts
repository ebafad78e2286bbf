import type { Request, Response } from 'express';
import type { Runtime } from '../runtime.js';
import type { FieldError } from '../claim/steps/step.js';
import { csrf } from './csrf.js';

export interface PageLocals {
  title: string;
  errors?: FieldError[];
  [key: string]: unknown;
}

/** Renders a server-side page with what every page needs: the CSRF token, the field errors and their summary. */
export function renderPage(runtime: Runtime, req: Request, res: Response, template: string, locals: PageLocals, status = 200, options = { csrf: true }): void {
  const errors = locals.errors ?? [];
  const html = runtime.views.render(template, {
    ...locals,
    errors,
    errorFor: Object.fromEntries(errors.map((error) => [error.field, error.message])),
    csrfToken: options.csrf && req.session ? csrf.generateToken(req) : '',
    signedIn: Boolean(req.session?.memberId),
  });
  res.status(status).set('Cache-Control', 'no-store').type('html').send(html);
}

/** JSON for the admin API whatever the client accepts; elsewhere whatever the client prefers. */
export function wantsJson(req: Request): boolean {
  return req.originalUrl.startsWith('/admin/api/') || req.accepts(['html', 'json']) === 'json';
}
