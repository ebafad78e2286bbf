import 'express-session';
import type { SsoStart } from './start.js';

declare module 'express-session' {
  interface SessionData {
    /** An SP-initiated SSO request on its way to the provider's login route. */
    ssoStart: SsoStart;
    /** How a signed-in session was established through SSO, for single logout. */
    sso: SsoSessionInfo;
  }
}

export interface SsoSessionInfo {
  providerId: string;
  protocol: 'saml' | 'oidc';
  /** OIDC: the ID token, sent back as id_token_hint at RP-initiated logout. */
  idToken?: string;
  /** SAML NameID and SessionIndex for a LogoutRequest. */
  nameId?: string;
  /** The NameID's Format as the IdP sent it, repeated in the LogoutRequest. */
  nameIdFormat?: string;
  sessionIndex?: string;
}
