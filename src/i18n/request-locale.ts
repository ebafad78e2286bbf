import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { loadFlow } from '../claim/flow.js';
import { findMemberById } from '../members/lookup.js';
import type { Runtime } from '../runtime.js';
import { chooseLocale, type Locale } from './locales.js';
import type { Translate } from './messages.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The language of everything this request shows (see chooseLocale). */
      locale: Locale;
      t: Translate;
    }
  }
}

/** The cookie the language switcher sets. */
export const LANGUAGE_COOKIE = 'claimgate_lang';

export function pickedLanguage(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === LANGUAGE_COOKIE) return decodeURIComponent(value.join('=')).slice(0, 35);
  }
  return undefined;
}

/** Sets the request's language, with `stored` (a member's locale) first when the caller knows the member. */
export function useLocale(runtime: Runtime, req: Request, stored?: string | null): void {
  req.locale = chooseLocale({ stored, picked: pickedLanguage(req.headers.cookie), acceptLanguage: req.get('accept-language'), fallback: runtime.config.i18n.defaultLocale });
  req.t = runtime.messages.forLocale(req.locale);
}

/** The stored locale of the member this session belongs to: signed in, or in a claim flow. */
async function sessionMemberLocale(runtime: Runtime, req: Request): Promise<string | null | undefined> {
  const session = req.session;
  if (!session) return undefined;
  const memberId = session.memberId ?? (session.flowId ? (await loadFlow(runtime.db, session.flowId))?.row.memberId : undefined);
  if (!memberId) return undefined;
  return (await findMemberById(runtime.db, memberId))?.locale;
}

/** After the session: every page, mail link and error of the request speaks the member's language. */
export function requestLocale(runtime: Runtime): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    useLocale(runtime, req);
    if (!req.session?.memberId && !req.session?.flowId) return next();
    sessionMemberLocale(runtime, req).then((stored) => {
      if (stored) useLocale(runtime, req, stored);
      next();
    }, next);
  };
}
