import type { Request, Response } from 'express';
import type { Runtime } from '../runtime.js';
import type { FieldError } from '../claim/steps/step.js';
import { directionOf, LOCALE_NAMES, LOCALES, type Locale } from '../i18n/locales.js';
import { formatDateTime } from '../i18n/format.js';
import { useLocale } from '../i18n/request-locale.js';
import { pageBranding } from '../branding/page-branding.js';
import { csrf } from './csrf.js';

export interface PageLocals {
  /** A catalogue key (or, on pages not yet in the catalogues, the text itself). */
  title: string;
  titleParams?: Record<string, unknown>;
  errors?: FieldError[];
  [key: string]: unknown;
}

/**
 * The page's return path for the language switcher: the page itself when it can be fetched again, without its query
 * (a hostile `returnTo` is never echoed into the page). An error page never repeats the address it refused (an
 * unusable claim link would be echoed into the page).
 */
function switcherReturn(req: Request, status: number): string {
  return req.method === 'GET' && status < 400 ? req.originalUrl.split('?')[0]! : '/login';
}

/** What the layout needs besides the page's own values: language, direction, switcher, branding. */
export function chromeLocals(runtime: Runtime, locale: Locale, returnPath: string) {
  const returnTo = encodeURIComponent(returnPath);
  return {
    t: runtime.messages.forLocale(locale),
    lang: locale,
    dir: directionOf(locale),
    languages: LOCALES.map((each) => ({ locale: each, name: LOCALE_NAMES[each], href: `/_claimgate/language?lng=${encodeURIComponent(each)}&returnTo=${returnTo}`, current: each === locale })),
    formatDate: (value: Date | string | number) => formatDateTime(value, locale),
    branding: pageBranding(runtime),
  };
}

/** Renders a server-side page with what every page needs: the CSRF token, the field errors and their summary. */
export function renderPage(runtime: Runtime, req: Request, res: Response, template: string, locals: PageLocals, status = 200, options = { csrf: true }): void {
  if (!req.t) useLocale(runtime, req);
  const { t } = req;
  // A key is translated; a text that is not a key (a page still in English) is shown as written.
  const text = (value: string, params?: Record<string, unknown>) => (runtime.messages.has(value) ? t(value, params) : value);
  const errors = (locals.errors ?? []).map((error) => ({ field: error.field, message: text(error.message, error.params) }));
  const html = runtime.views.render(template, {
    ...locals,
    ...chromeLocals(runtime, req.locale, switcherReturn(req, status)),
    title: text(locals.title, locals.titleParams),
    errors,
    errorFor: Object.fromEntries(errors.map((error) => [error.field, error.message])),
    csrfToken: options.csrf && req.session ? csrf.generateToken(req) : '',
    signedIn: Boolean(req.session?.memberId),
  });
  res.status(status).set('Cache-Control', 'no-store').set('Content-Language', req.locale).type('html').send(html);
}

/** JSON for the admin API whatever the client accepts; elsewhere whatever the client prefers. */
export function wantsJson(req: Request): boolean {
  return req.originalUrl.startsWith('/admin/api/') || req.accepts(['html', 'json']) === 'json';
}
