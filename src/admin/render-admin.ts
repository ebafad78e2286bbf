import type { Request, Response } from 'express';
import { renderPage, type PageLocals } from '../http/render.js';
import type { Runtime } from '../runtime.js';

export type AdminSection = 'people' | 'invite' | 'import' | 'export' | 'integrations';

/** An admin page: the wide layout, the admin navigation, and what the signed-in admin may do. */
export function renderAdmin(runtime: Runtime, req: Request, res: Response, template: string, section: AdminSection, locals: PageLocals, status = 200): void {
  renderPage(runtime, req, res, template, {
    ...locals, wide: true, section, canManage: Boolean(req.permissions?.has('accounts:manage')),
  }, status);
}

/** Dates on admin pages: UTC, to the minute. */
export function adminTime(date: Date | null | undefined): string {
  return date ? date.toISOString().slice(0, 16).replace('T', ' ') : '';
}
