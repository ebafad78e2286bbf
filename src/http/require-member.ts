import type { NextFunction, Request, Response } from 'express';
import { sessionMember } from '../session/session-member.js';
import type { MemberRow } from '../db/rows.js';
import type { Runtime } from '../runtime.js';
import { AppError } from './errors.js';
import { wantsJson } from './render.js';
import { termsCurrent } from '../claim/terms-currency.js';

export const NEW_PASSWORD_PATH = '/_claimgate/account/new-password';

/** An admin asked this member for a new password, and they sign in with one. */
export function owesNewPassword(member: Pick<MemberRow, 'passwordChangeRequiredAt' | 'loginMethod'>): boolean {
  return Boolean(member.passwordChangeRequiredAt) && member.loginMethod === 'password';
}

declare module 'express-serve-static-core' {
  interface Request {
    member?: MemberRow;
  }
}

/**
 * Lets through only a signed-in, claimed member who has accepted the terms in force; HTML requests go to sign-in (or
 * to the new terms) and come back afterwards. The same rule as the gateway's, for every claimgate page, /admin included.
 */
export function requireMember(runtime: Runtime, options: { passwordChange?: 'required' | 'allowed' } = {}) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const member = await sessionMember(runtime, req);
    if (member && owesNewPassword(member) && options.passwordChange !== 'allowed') {
      // Before anything else, terms included: the admin asked for it because the old password may be known to others.
      if (wantsJson(req) || req.method !== 'GET') return next(new AppError('password_change_required', 'page request before the required new password'));
      return res.redirect(303, `${NEW_PASSWORD_PATH}?returnTo=${encodeURIComponent(req.originalUrl)}`);
    }
    if (member) {
      if (await termsCurrent(runtime, member.id)) {
        req.member = member;
        return next();
      }
      if (wantsJson(req) || req.method !== 'GET') return next(new AppError('terms_not_accepted', 'page request with out-of-date terms'));
      return res.redirect(303, `/_claimgate/terms?returnTo=${encodeURIComponent(req.originalUrl)}`);
    }
    if (wantsJson(req) || req.method !== 'GET') return next(new AppError('not_signed_in'));
    res.redirect(303, `/login?returnTo=${encodeURIComponent(req.originalUrl)}`);
  };
}
