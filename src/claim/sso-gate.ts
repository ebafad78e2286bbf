import type { Config } from '../config/schema.js';
import type { MemberRow } from '../db/rows.js';
import { providerForEmail } from '../sso/providers.js';

/**
 * A link claim must start at the identity provider when SSO is required org-wide, for the member's email domain,
 * or by the member's login method. Such a claim never runs the local steps without the IdP.
 */
export function claimRequiresSso(config: Config, member: Pick<MemberRow, 'loginMethod' | 'emailNormalized'>): boolean {
  if (member.loginMethod === 'sso' || config.sso.required) return true;
  return Boolean(member.emailNormalized && providerForEmail(config, member.emailNormalized));
}

/**
 * The provider an SSO-gated claim goes to: the one serving the member's domain, else the one provider configured
 * without domains (the organisation's default), else the only provider there is.
 */
export function claimProviderFor(config: Config, member: Pick<MemberRow, 'emailNormalized'>) {
  const byDomain = member.emailNormalized ? providerForEmail(config, member.emailNormalized) : undefined;
  if (byDomain) return byDomain;
  const defaults = config.sso.providers.filter((provider) => provider.domains.length === 0);
  if (defaults.length === 1) return defaults[0];
  return config.sso.providers.length === 1 ? config.sso.providers[0] : undefined;
}
