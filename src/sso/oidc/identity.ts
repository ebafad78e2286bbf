import { decodeProtectedHeader } from 'jose';
import type { IDToken } from 'openid-client';
import { isEmail } from '../../members/normalize.js';
import { ssoFailure } from '../failure.js';
import { groupNamesFrom, type SsoIdentity } from '../identity.js';
import type { OidcProvider } from '../providers.js';

function text(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim()) return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** A groups claim is a list of names; a single name is taken as a list of one. */
function groupsFromClaim(value: unknown): string[] {
  if (Array.isArray(value)) return groupNamesFrom(value);
  return typeof value === 'string' ? groupNamesFrom([value]) : [];
}

/**
 * The identity from the verified ID token's claims only (never from unsigned query or userinfo data).
 * The signing algorithm is checked again here, so no library default can ever widen the configured list.
 */
export function identityFromIdToken(provider: OidcProvider, idToken: string, claims: IDToken): SsoIdentity {
  const { alg } = decodeProtectedHeader(idToken);
  if (!alg || !(provider.idTokenSigningAlgs as readonly string[]).includes(alg)) {
    throw ssoFailure('id_token_alg_not_allowed', `ID token signed with ${String(alg)}`);
  }
  const rawEmail = text(claims[provider.emailClaim]);
  const verified = claims.email_verified;
  const trusted = rawEmail && isEmail(rawEmail) && !(provider.requireVerifiedEmail && (verified === false || verified === 'false'));
  const attributes: Record<string, string> = {};
  for (const [field, claim] of Object.entries(provider.attributes)) {
    const value = claim ? text(claims[claim]) : undefined;
    if (value) attributes[field] = value;
  }
  return {
    providerId: provider.id,
    protocol: 'oidc',
    issuer: claims.iss,
    subject: claims.sub,
    email: trusted ? rawEmail : null,
    name: text(claims[provider.nameClaim]) ?? null,
    attributes,
    ...(provider.groupsClaim ? { groups: groupsFromClaim(claims[provider.groupsClaim]) } : {}),
    ...(typeof claims.sid === 'string' ? { sessionIndex: claims.sid } : {}),
  };
}
