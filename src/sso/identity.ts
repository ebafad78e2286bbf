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
  /** SAML SessionIndex / OIDC sid, for single logout. */
  sessionIndex?: string;
}
