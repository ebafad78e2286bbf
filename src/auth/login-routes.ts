import type { Request, Response, Router } from 'express';
import { beginReacceptance } from '../claim/begin.js';
import { AppError } from '../http/errors.js';
import { csrfProtection } from '../http/csrf.js';
import { consumeOrRefusal, createLimiter, isFirstAt, retryAfterSeconds } from '../http/rate-limits.js';
import { clientKey } from '../http/client-key.js';
import { renderPage } from '../http/render.js';
import { safeReturnPath } from '../http/return-to.js';
import { findMemberBySignInName } from '../members/lookup.js';
import { isEmail } from '../members/normalize.js';
import { singleLogoutUrl } from '../sso/logout.js';
import { providerForEmail } from '../sso/providers.js';
import { beginSso } from '../sso/start.js';
import type { Runtime } from '../runtime.js';
import { endSession, signIn } from '../session/session.js';
import { sessionMember } from '../session/session-member.js';
import { NEW_PASSWORD_PATH, owesNewPassword } from '../http/require-member.js';
import { announceSessionEnding } from '../gateway/session-endings.js';
import { verifyPassword } from './password-hash.js';
import { termsCurrent } from '../claim/terms-currency.js';
import { caseSensitiveRouter } from '../http/router.js';

function field(req: Request, name: string): string {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}

export function loginRoutes(runtime: Runtime): Router {
  const { config, audit, db } = runtime;
  const router = caseSensitiveRouter();
  // Every attempt spends a point before the password is checked, so parallel guesses cannot outrun the count;
  // a success gives the points back. Three keys: address and name (a person mistyping), name alone (guesses
  // against one account from many addresses), and address alone (one client spraying names).
  const perPair = createLimiter(runtime, { keyPrefix: 'login-pair', points: 10, durationSeconds: 15 * 60 });
  const perAccount = createLimiter(runtime, { keyPrefix: 'login-account', points: 30, durationSeconds: 15 * 60 });
  const perIp = createLimiter(runtime, { keyPrefix: 'login-ip', points: 100, durationSeconds: 15 * 60 });

  // With SSO providers the page asks for the email first: its domain decides between the provider and a password.
  const identityFirst = config.sso.providers.some((provider) => provider.domains.length > 0);

  type LoginStage = 'identify' | 'password';
  function showLogin(req: Request, res: Response, locals: { identifier?: string; errors?: Array<{ field: string; message: string }>; stage?: LoginStage } = {}, status = 200) {
    renderPage(runtime, req, res, 'login.njk', {
      title: 'login.title', identifier: locals.identifier ?? '', errors: locals.errors ?? [],
      stage: locals.stage ?? (identityFirst ? 'identify' : 'password'),
      returnTo: safeReturnPath(req.query.returnTo ?? (req.body as Record<string, unknown> | undefined)?.returnTo) ?? '',
      accessCodes: config.claim.methods.accessCode,
      recovery: config.recovery.enabled,
      notice: req.method === 'GET' && req.query.signedOut === '1' ? req.t('login.signedOut') : '',
    }, status);
  }

  router.get('/login', async (req, res) => {
    // Only a member who may still sign in goes back: anyone else would be sent here again, round and round.
    const member = await sessionMember(runtime, req);
    const returnTo = safeReturnPath(req.query.returnTo);
    if (member && owesNewPassword(member)) return res.redirect(303, `${NEW_PASSWORD_PATH}${returnTo ? `?returnTo=${encodeURIComponent(returnTo)}` : ''}`);
    if (member) return res.redirect(303, returnTo ?? config.upstream.landingPath);
    showLogin(req, res);
  });

  router.post('/login', csrfProtection, async (req, res) => {
    const identifier = field(req, 'identifier').trim().slice(0, 320);
    const password = field(req, 'password');
    if (identityFirst && field(req, 'stage') === 'identify') {
      if (!identifier) return showLogin(req, res, { errors: [{ field: 'identifier', message: 'login.enterIdentifier' }] }, 400);
      // Decided by the domain alone, never by whether a member exists: the answer tells nothing about accounts.
      const provider = isEmail(identifier) ? providerForEmail(config, identifier) : undefined;
      if (provider) return beginSso(req, res, runtime, { providerId: provider.id, loginHint: identifier, returnTo: safeReturnPath(field(req, 'returnTo')) });
      return showLogin(req, res, { identifier, stage: 'password' });
    }
    if (!identifier || !password) {
      const errors = [
        ...(!identifier ? [{ field: 'identifier', message: 'login.enterIdentifier' }] : []),
        ...(!password ? [{ field: 'password', message: 'login.enterPassword' }] : []),
      ];
      return showLogin(req, res, { identifier, errors, stage: 'password' }, 400);
    }
    const ip = clientKey(req, config.rateLimits.ipv6Prefix);
    const accountKey = identifier.toLowerCase();
    const pairKey = `${ip}|${accountKey}`;
    const checks = [[perPair, pairKey], [perAccount, accountKey], [perIp, ip]] as const;
    const refusals = await Promise.all(checks.map(([limiter, key]) => consumeOrRefusal(limiter, key)));
    if (refusals.some(Boolean)) {
      runtime.metrics.rateLimitHits.inc({ limiter: 'login' });
      res.set('Retry-After', String(await retryAfterSeconds(checks.map(([limiter, key]) => [limiter, key]))));
      // One row when a limit first turns a key away, not one for every request it turns away after.
      const firstRefusal = refusals.some((refusal, index) => refusal && isFirstAt(checks[index]![0], refusal.consumedPoints, 'exceeded'));
      if (firstRefusal) await audit({ event: 'login.failed', outcome: 'failure', method: 'password', req, details: { reason: 'throttled' } });
      return showLogin(req, res, { identifier, stage: 'password', errors: [{ field: 'identifier', message: 'errors.login_throttled.message' }] }, 429);
    }
    const member = identifier ? await findMemberBySignInName(db, identifier) : null;
    const canSignIn = member?.status === 'claimed' && member.loginMethod === 'password';
    const valid = await verifyPassword(canSignIn ? member.passwordHash : null, password);
    if (!member || !canSignIn || !valid) {
      await audit({ event: 'login.failed', outcome: 'failure', memberId: member?.id ?? null, method: 'password', req, details: { reason: !member ? 'unknown_name' : !canSignIn ? `not_allowed:${member.status}` : 'wrong_password' } });
      // One answer for every failure, so the page never tells whether an account exists.
      return showLogin(req, res, { identifier, stage: 'password', errors: [{ field: 'identifier', message: 'errors.login_failed.message' }] }, 401);
    }
    await Promise.all([perPair.delete(pairKey), perAccount.reward(accountKey), perIp.reward(ip)]);
    await audit({ event: 'login.succeeded', actorId: member.id, memberId: member.id, method: 'password', req });
    if (owesNewPassword(member)) {
      // Before anything else, terms included: then on to where the member was going.
      await signIn(req, member.id, runtime.now());
      const returnTo = safeReturnPath(field(req, 'returnTo'));
      return res.redirect(303, `${NEW_PASSWORD_PATH}${returnTo ? `?returnTo=${encodeURIComponent(returnTo)}` : ''}`);
    }
    if (!(await termsCurrent(runtime, member.id))) {
      const now = runtime.now().getTime();
      return beginReacceptance(runtime, req, res, member, { returnTo: field(req, 'returnTo'), signedIn: { authenticatedAt: now, lastSeenAt: now } });
    }
    await signIn(req, member.id, runtime.now());
    res.redirect(303, safeReturnPath(field(req, 'returnTo')) ?? config.upstream.landingPath);
  });

  router.post('/logout', csrfProtection, async (req, res) => {
    const memberId = req.session?.memberId;
    const providerLogout = memberId ? await singleLogoutUrl(runtime, req.session.sso) : undefined;
    const sid = req.sessionID;
    await endSession(req, res, config.baseUrl.startsWith('https://'));
    if (memberId) await announceSessionEnding(runtime, { sid });
    if (memberId) await audit({ event: 'session.ended', actorId: memberId, memberId, req, details: { reason: 'sign_out', ...(providerLogout ? { providerLogout: true } : {}) } });
    // An OIDC session also ends at the provider, which sends the browser back to the sign-in page.
    res.redirect(303, providerLogout ?? '/login?signedOut=1');
  });

  return router;
}
