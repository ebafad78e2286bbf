import type { Element } from '@xmldom/xmldom';
import type { Request, Response } from 'express';
import type { SamlProviderConfig } from '../../config/schema.js';
import type { Runtime } from '../../runtime.js';
import { ssoFailure } from '../failure.js';
import type { SsoLogoutInfo } from '../finish.js';
import type { SsoIdentity } from '../identity.js';
import type { SsoStart } from '../start.js';
import { refuseWeakAlgorithms } from './algorithms.js';
import { acceptAssertionOnce } from './assertion-replay.js';
import { checkAudience } from './audience.js';
import { checkBrowserBinding } from './browser-binding.js';
import { checkDestination } from './destination.js';
import type { IdpDescription } from './idp-metadata.js';
import { checkIssuer } from './issuer.js';
import { checkRecipient } from './recipient.js';
import { allowedRelayState } from './relay-state.js';
import { RequestCache } from './request-cache.js';
import type { RequestStore } from './request-store.js';
import { hasDoctype } from './reject-doctype.js';
import { failureFromValidation } from './response-errors.js';
import type { SpDescription } from './sp.js';
import { REQUEST_TTL_MS, samlOptions, type SamlAuthenticator } from './strategy.js';
import { toIdentity } from './to-identity.js';
import { readVerifiedAssertion } from './verified-assertion.js';
import { parseXml, XmlError } from './xml.js';

export interface AcsContext {
  runtime: Runtime;
  req: Request;
  res: Response;
  provider: SamlProviderConfig;
  idp: IdpDescription;
  sp: SpDescription;
  store: RequestStore;
  authenticator: SamlAuthenticator;
  /** Told as soon as the response names a pending request that began at a claim link (for the audit event). */
  onClaimLink(): void;
}

export interface AcceptedResponse {
  identity: SsoIdentity;
  start: SsoStart;
  logout: SsoLogoutInfo;
}

function decodeResponse(body: unknown): string {
  const value = (body as Record<string, unknown> | undefined)?.SAMLResponse;
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/=\s]+$/.test(value)) throw ssoFailure('saml_response_missing', 'no SAMLResponse form field');
  return Buffer.from(value, 'base64').toString('utf8');
}

/**
 * Every check a posted SAML response passes before anyone is signed in, in order. Any failure throws an SsoFailure
 * with a stable reason; nothing is consumed by a response that fails before node-saml has verified it.
 */
export async function validateAcsPost(ctx: AcsContext): Promise<AcceptedResponse> {
  const { runtime, req, res, provider, idp, sp } = ctx;
  const xml = decodeResponse(req.body);
  if (hasDoctype(xml)) throw ssoFailure('saml_doctype_refused', 'the response declares a DOCTYPE or entities');
  let document;
  try {
    document = parseXml(xml);
  } catch (error) {
    throw ssoFailure('saml_response_invalid', `unreadable XML: ${(error as XmlError).message}`);
  }
  const claimedRequest = (document.documentElement as unknown as Element).getAttribute('InResponseTo');
  // Read only to name the audit event of a refusal; nothing below trusts it before node-saml has verified it.
  if (claimedRequest && (await ctx.store.peek(claimedRequest))?.start.claimLinkId) ctx.onClaimLink();
  refuseWeakAlgorithms(document);
  const relayState = allowedRelayState((req.body as Record<string, unknown>).RelayState, provider.relayStateAllowlist);

  const cache = new RequestCache(ctx.store, provider.id, REQUEST_TTL_MS);
  let profile;
  try {
    profile = await ctx.authenticator.run(req, res, samlOptions(provider, idp, sp, cache));
  } catch (error) {
    throw failureFromValidation(error);
  }
  if (!profile?.getAssertionXml) throw ssoFailure('saml_response_invalid', 'not a login response');

  // From here on, only the bytes node-saml verified are read (and the Response element, whose signature covers it).
  const assertion = readVerifiedAssertion(profile.getAssertionXml());
  const inResponseTo = (document.documentElement as unknown as Element).getAttribute('InResponseTo') ?? '';
  checkIssuer(document, assertion, idp.entityId);
  checkDestination(document, sp.acsUrl);
  checkRecipient(assertion, sp.acsUrl, inResponseTo);
  checkAudience(assertion, sp.entityId);
  const pending = await cache.consume(inResponseTo);
  if (!pending) throw ssoFailure('saml_replay', 'the request this response answers was already answered');
  checkBrowserBinding(req, res, pending.browserBinding);
  const { browserBinding: _binding, ...start } = pending;
  await acceptAssertionOnce(runtime, provider.id, assertion, provider.clockSkew);

  const returnTo = start.returnTo ?? relayState;
  return {
    identity: toIdentity(provider, assertion),
    start: { ...start, ...(returnTo ? { returnTo } : {}) },
    logout: {
      nameId: assertion.nameId,
      ...(assertion.nameIdFormat ? { nameIdFormat: assertion.nameIdFormat } : {}),
      ...(assertion.sessionIndex ? { sessionIndex: assertion.sessionIndex } : {}),
    },
  };
}
