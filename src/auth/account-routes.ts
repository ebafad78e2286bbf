import type { Request, Response, Router } from 'express';
import { announceSessionEnding } from '../gateway/session-endings.js';
import { AppError } from '../http/errors.js';
import { clientKey } from '../http/client-key.js';
import { csrfProtection } from '../http/csrf.js';
import { auditOnceAt, consumeOrRefusal, createLimiter, retryAfterSeconds } from '../http/rate-limits.js';
import { renderPage, wantsJson } from '../http/render.js';
import { useLocale } from '../i18n/request-locale.js';
import { NEW_PASSWORD_PATH, owesNewPassword, requireMember } from '../http/require-member.js';
import { safeReturnPath } from '../http/return-to.js';
import { caseSensitiveRouter } from '../http/router.js';
import type { Runtime } from '../runtime.js';
import { browserName, browserParts } from '../session/browser-name.js';
import { endMemberSessions, endSession, listMemberSessions, sessionHandle } from '../session/member-sessions.js';
import { endSession as endOwnSession } from '../session/session.js';
import { checkNewPassword, replacePassword } from './new-password.js';
import { verifyPassword } from './password-hash.js';

/** The browser and system of a session in the reader's language. */
function localBrowserName(req: Request, userAgent: string): string {
  const { browser, os } = browserParts(userAgent);
  const named = browser || req.t('account.sessions.unknownBrowser');
  if (!browser && !os) return named;
  return os ? req.t('account.sessions.browserOnSystem', { browser: named, os }) : browser;
}

function field(req: Request, name: string): string {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}

/** A member's own account pages: change password, choose one an admin asked for, see and end their sessions. */
export function accountRoutes(runtime: Runtime): Router {
  const { config } = runtime;
  const router = caseSensitiveRouter();
  const signedIn = requireMember(runtime);
  const signedInOwingPassword = requireMember(runtime, { passwordChange: 'allowed' });
  const secure = config.baseUrl.startsWith('https://');
  // Each wrong current password spends a point before the check (parallel guesses are counted too); a success gives
  // it back. Per member: someone at an unlocked screen guessing; per address: one client across many sessions.
  const perMember = createLimiter(runtime, { keyPrefix: 'password-change-member', points: 5, durationSeconds: 15 * 60 });
  const perIp = createLimiter(runtime, { keyPrefix: 'password-change-ip', points: 20, durationSeconds: 15 * 60 });

  const passwordLimits = () => ({ minLength: config.firstAccess.password.minLength, maxLength: config.firstAccess.password.maxLength });
  const isPasswordMember = (req: Request) => req.member!.loginMethod === 'password' && Boolean(req.member!.passwordHash);

  function showChange(req: Request, res: Response, errors: Array<{ field: string; message: string }> = [], status = 200) {
    renderPage(runtime, req, res, 'account/password.njk', { title: 'account.password.title', ...passwordLimits(), accountName: req.member!.email ?? req.member!.username ?? '', errors }, status);
  }

  router.get('/_claimgate/account/password', signedIn, (req, res) => {
    if (!isPasswordMember(req)) throw new AppError('not_found', 'password page for a member without a password');
    showChange(req, res);
  });

  router.post('/_claimgate/account/password', signedIn, csrfProtection, async (req, res) => {
    const member = req.member!;
    if (!isPasswordMember(req)) throw new AppError('not_found', 'password change for a member without a password');
    const ip = clientKey(req, config.rateLimits.ipv6Prefix);
    const checks = [[perMember, member.id], [perIp, ip]] as const;
    const refusals = await Promise.all(checks.map(([limiter, key]) => consumeOrRefusal(limiter, key)));
    const refused = refusals.findIndex(Boolean);
    if (refused >= 0) {
      runtime.metrics.rateLimitHits.inc({ limiter: 'password-change' });
      res.set('Retry-After', String(await retryAfterSeconds(checks.map(([limiter, key]) => [limiter, key]))));
      await auditOnceAt(runtime, checks[refused]![0], refusals[refused]!.consumedPoints, 'exceeded', {
        event: 'member.password_change_failed', outcome: 'failure', actorId: member.id, memberId: member.id, method: 'password', req, details: { reason: 'throttled' },
      });
      return showChange(req, res, [{ field: 'current', message: 'errors.login_throttled.message' }], 429);
    }
    if (!(await verifyPassword(member.passwordHash, field(req, 'current')))) {
      await runtime.audit({ event: 'member.password_change_failed', outcome: 'failure', actorId: member.id, memberId: member.id, method: 'password', req, details: { reason: 'wrong_current_password' } });
      return showChange(req, res, [{ field: 'current', message: 'errors.current_password_wrong.message' }], 400);
    }
    await Promise.all([perMember.reward(member.id), perIp.reward(ip)]);
    const chosen = await checkNewPassword(runtime, member, field(req, 'password'), field(req, 'confirm'));
    if ('errors' in chosen) return showChange(req, res, chosen.errors, 400);
    const ended = await replacePassword(runtime, member, chosen.hash, { keepSid: req.sessionID, req, required: false });
    res.redirect(303, `/_claimgate/account/sessions?done=password&ended=${ended}`);
  });

  function showNewPassword(req: Request, res: Response, errors: Array<{ field: string; message: string }> = [], status = 200) {
    renderPage(runtime, req, res, 'account/new-password.njk', {
      title: 'account.newPassword.title', ...passwordLimits(), accountName: req.member!.email ?? req.member!.username ?? '',
      returnTo: safeReturnPath(req.query.returnTo ?? (req.body as Record<string, unknown> | undefined)?.returnTo) ?? '', errors,
    }, status);
  }

  // Where an admin's "new password required" sends the member, before anything else; the member has just proved the
  // old password (or holds a session that did), so it is not asked again.
  router.get(NEW_PASSWORD_PATH, signedInOwingPassword, (req, res) => {
    if (!owesNewPassword(req.member!)) return res.redirect(303, safeReturnPath(req.query.returnTo) ?? config.upstream.landingPath);
    showNewPassword(req, res);
  });

  router.post(NEW_PASSWORD_PATH, signedInOwingPassword, csrfProtection, async (req, res) => {
    const member = req.member!;
    const returnTo = safeReturnPath(field(req, 'returnTo')) ?? config.upstream.landingPath;
    if (!owesNewPassword(member)) return res.redirect(303, returnTo);
    const chosen = await checkNewPassword(runtime, member, field(req, 'password'), field(req, 'confirm'));
    if ('errors' in chosen) return showNewPassword(req, res, chosen.errors, 400);
    if (await verifyPassword(member.passwordHash, field(req, 'password'))) {
      return showNewPassword(req, res, [{ field: 'password', message: 'account.newPassword.sameAsCurrent' }], 400);
    }
    await replacePassword(runtime, member, chosen.hash, { keepSid: req.sessionID, req, required: true });
    res.redirect(303, returnTo);
  });

  router.get('/_claimgate/account/sessions', signedIn, async (req, res) => {
    const sessions = (await listMemberSessions(runtime, req.member!.id)).map((s) => ({
      handle: sessionHandle(runtime, s.sid),
      current: s.sid === req.sessionID,
      browser: browserName(s.userAgent),
      userAgent: s.userAgent,
      address: s.address,
      createdAt: s.createdAt.toISOString().replace('T', ' ').slice(0, 16),
      lastSeenAt: s.lastSeenAt.toISOString().replace('T', ' ').slice(0, 16),
    }));
    if (wantsJson(req)) return res.set('Cache-Control', 'no-store').json({ sessions: sessions.map(({ userAgent: _userAgent, ...s }) => ({ ...s, address: s.address || 'Unknown' })) });
    if (!req.t) useLocale(runtime, req);
    const ended = Number(req.query.ended);
    const notice = req.query.done === 'password' ? [req.t('account.sessions.passwordChanged'), ...(ended > 0 ? [req.t('account.sessions.othersEndedCount', { count: ended })] : [])].join(' ')
      : req.query.done === 'others' ? req.t('account.sessions.othersEnded') : req.query.done === 'one' ? req.t('account.sessions.oneEnded') : '';
    const shown = sessions.map((s) => ({ ...s, browser: localBrowserName(req, s.userAgent), address: s.address || req.t('account.sessions.unknownAddress') }));
    renderPage(runtime, req, res, 'account/sessions.njk', { title: 'account.sessions.title', sessions: shown, notice, canChangePassword: isPasswordMember(req) });
  });

  router.post('/_claimgate/account/sessions/end', signedIn, csrfProtection, async (req, res) => {
    const handle = field(req, 'session');
    const member = req.member!;
    // Looked up among this member's own sessions only: another member's session cannot be named from here.
    const sid = handle ? (await listMemberSessions(runtime, member.id)).find((s) => sessionHandle(runtime, s.sid) === handle)?.sid : undefined;
    if (sid && sid === req.sessionID) {
      await endOwnSession(req, res, secure);
      await announceSessionEnding(runtime, { sid });
      await runtime.audit({ event: 'session.ended', actorId: member.id, memberId: member.id, req, details: { reason: 'sign_out' } });
      return res.redirect(303, '/login?signedOut=1');
    }
    if (!sid || !(await endSession(runtime, member.id, sid, { reason: 'ended_by_member', actorId: member.id, req }))) {
      throw new AppError('session_not_found', 'end a session that is not the member\'s own or no longer live');
    }
    res.redirect(303, '/_claimgate/account/sessions?done=one');
  });

  router.post('/_claimgate/account/sessions/end-others', signedIn, csrfProtection, async (req, res) => {
    const member = req.member!;
    await endMemberSessions(runtime, member.id, { keepSid: req.sessionID, reason: 'sign_out_everywhere_else', actorId: member.id, req });
    res.redirect(303, '/_claimgate/account/sessions?done=others');
  });

  return router;
}
