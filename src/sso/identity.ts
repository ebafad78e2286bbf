/** Who the identity provider says signed in, after every protocol check has passed. Protocol-neutral. */
export interface SsoIdentity {
  /** config sso.providers[].id */
  providerId: string;
  protocol: 'saml' | 'oidc';
  /** SAML: the signed assertion's Issuer; OIDC: the ID token's iss. */
  issuer: string;
  /** SAML: NameID; OIDC: sub. */
  subject: string;
  /** From the signed value only (emailAttribute/emailClaim, or NameID when it is an email); null when absent or unverified. */
  email: string | null;
  name?: string | null;
  /** Mapped profile attributes (title, department, phone …) that prefill the profile step. */
  attributes: Record<string, string>;
  /**
   * The groups the provider assigns (groupsAttribute / groupsClaim, signed values only); undefined when the provider
   * maps none, so that the assignments held from it are left alone.
   */
  groups?: string[];
  /** SAML SessionIndex / OIDC sid, for single logout. */
  sessionIndex?: string;
}

/** At most this many groups are taken from one sign-in, each a name of at most 100 characters; longer ones are dropped. */
export const SSO_GROUPS_MAX = 200;

export function groupNamesFrom(values: readonly unknown[]): string[] {
  return values.filter((value): value is string => typeof value === 'string').map((value) => value.trim())
    .filter((value) => value.length > 0 && value.length <= 100).slice(0, SSO_GROUPS_MAX);
}
