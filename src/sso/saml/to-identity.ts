import type { SamlProviderConfig } from '../../config/schema.js';
import { isEmail } from '../../members/normalize.js';
import { groupNamesFrom, type SsoIdentity } from '../identity.js';
import type { VerifiedAssertion } from './verified-assertion.js';


function first(assertion: VerifiedAssertion, name: string | undefined): string | undefined {
  const value = name ? assertion.attributes[name]?.find((item) => item !== '') : undefined;
  return value?.slice(0, 320);
}

/** The identity the signed assertion states: Issuer, NameID, and the configured attributes. */
export function toIdentity(provider: SamlProviderConfig, assertion: VerifiedAssertion): SsoIdentity {
  const email = provider.emailAttribute ? first(assertion, provider.emailAttribute) : assertion.nameId;
  const attributes: Record<string, string> = {};
  for (const [field, name] of Object.entries(provider.attributes)) {
    const value = first(assertion, name);
    if (value) attributes[field] = value;
  }
  return {
    providerId: provider.id,
    protocol: 'saml',
    issuer: assertion.issuers[0]!,
    subject: assertion.nameId,
    email: email && isEmail(email) ? email : null,
    name: first(assertion, provider.nameAttribute) ?? null,
    attributes,
    ...(provider.groupsAttribute ? { groups: groupNamesFrom(assertion.attributes[provider.groupsAttribute] ?? []) } : {}),
    ...(assertion.sessionIndex ? { sessionIndex: assertion.sessionIndex } : {}),
  };
}
