import type { NextFunction, Request, Response } from 'express';
import { findMemberById } from '../members/lookup.js';
import type { MemberRow } from '../db/rows.js';
import type { Runtime } from '../runtime.js';
import { AppError } from './errors.js';
import { wantsJson } from './render.js';

declare module 'express-serve-static-core' {
  interface Request {
    member?: MemberRow;
  }
}

/** Lets through only a signed-in, claimed member; HTML requests go to sign-in and come back afterwards. */
export function requireMember(runtime: Runtime) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const memberId = req.session?.memberId;
    const member = memberId ? await findMemberById(runtime.db, memberId) : null;
    if (member?.status === 'claimed') {
      req.member = member;
      return next();
    }
    if (memberId) await new Promise<void>((resolve) => req.session.regenerate(() => resolve()));
    if (wantsJson(req) || req.method !== 'GET') return next(new AppError('not_signed_in'));
    res.redirect(303, `/login?returnTo=${encodeURIComponent(req.originalUrl)}`);
  };
}
