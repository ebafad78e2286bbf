import type { SAML } from '@node-saml/node-saml';
import type { Request, Response } from 'express';
import type { SamlProviderConfig } from '../../config/schema.js';
import type { Runtime } from '../../runtime.js';
import { endSession } from '../../session/session.js';
import { announceSessionEnding } from '../../gateway/session-endings.js';
import { ssoFailure } from '../failure.js';
import { useOnce } from '../once.js';
import { checkLogoutRequest } from './logout-request.js';
import type { SpDescription } from './sp.js';

interface IdpLogoutContext {
  runtime: Runtime;
  req: Request;
  res: Response;
  provider: SamlProviderConfig;
  saml: SAML;
  sp: SpDescription;
  rawQuery: string;
  query: Record<string, unknown>;
}

const LOGOUT_REQUEST_MEMORY_MS = 15 * 60 * 1000;

/**
 * IdP-initiated single logout (HTTP-Redirect): a signed LogoutRequest ends this browser's session when it was
 * signed in through the same provider as the same NameID (and SessionIndex, when both sides have one), then the
 * browser returns to the IdP with a LogoutResponse. The request is a top-level navigation, so the session cookie
 * (SameSite=Lax) comes with it.
 */
export async function endSessionForIdp(ctx: IdpLogoutContext): Promise<void> {
  const { runtime, req, res, provider, saml, sp } = ctx;
  checkLogoutRequest(ctx.query, sp.sloUrl);
  const { profile } = await saml.validateRedirectAsync(ctx.query as Record<string, string>, ctx.rawQuery);
  if (!profile?.ID) throw ssoFailure('saml_logout_invalid', 'LogoutRequest without an ID');
  if (!(await useOnce(runtime, `saml-logout\n${provider.id}\n${profile.ID}`, LOGOUT_REQUEST_MEMORY_MS))) {
    throw ssoFailure('saml_replay', 'LogoutRequest already processed');
  }
  const info = req.session?.sso;
  const memberId = req.session?.memberId;
  const sameSession = Boolean(memberId) && info?.protocol === 'saml' && info.providerId === provider.id && info.nameId === profile.nameID
    && (!profile.sessionIndex || !info.sessionIndex || profile.sessionIndex === info.sessionIndex);
  if (sameSession) {
    const sid = req.sessionID;
    await endSession(req, res, runtime.config.baseUrl.startsWith('https://'));
    await announceSessionEnding(runtime, { sid });
    await runtime.audit({ event: 'session.ended', actorId: memberId!, memberId: memberId!, req, details: { reason: 'idp_logout', provider: provider.id } });
  }
  // Without a SingleLogoutService in the IdP's metadata there is nowhere to send the answer.
  if (!saml.options.logoutUrl) return res.redirect(303, '/login?signedOut=1');
  const relayState = typeof ctx.query.RelayState === 'string' ? ctx.query.RelayState : '';
  res.redirect(302, await saml.getLogoutResponseUrlAsync(profile, relayState, {}, true));
}
