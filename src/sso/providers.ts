import type { Config } from '../config/schema.js';

export type SsoProvider = Config['sso']['providers'][number];
export type OidcProvider = Extract<SsoProvider, { type: 'oidc' }>;

export function findProvider(config: Config, id: string): SsoProvider | undefined {
  return config.sso.providers.find((provider) => provider.id === id);
}

const emailDomain = (email: string) => email.trim().toLowerCase().split('@')[1];

/** The provider whose configured domains include the email's domain. */
export function providerForEmail(config: Config, email: string): SsoProvider | undefined {
  const domain = emailDomain(email);
  return domain ? config.sso.providers.find((provider) => provider.domains.includes(domain)) : undefined;
}

/** A provider with domains is trusted only for addresses in them; one without domains is trusted for any address. */
export function providerVouchesFor(provider: SsoProvider, email: string): boolean {
  if (!provider.domains.length) return true;
  const domain = emailDomain(email);
  return Boolean(domain && provider.domains.includes(domain));
}
