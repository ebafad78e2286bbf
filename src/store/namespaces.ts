/**
 * Every kind of short-lived state and the key prefix it lives under: the one place that names them. In Redis the
 * deployment's prefix (`redis.prefix`) comes first; in the database the table is the deployment's own.
 */
export const NAMESPACES = {
  /** express-session's sessions (src/session/store-session-store.ts). */
  sessions: 'sess:',
  /** Single-use SSO values: OIDC states, SAML assertion and logout-request ids. */
  ssoOnce: 'sso-once:',
  /** Outstanding SAML AuthnRequests until the IdP answers. */
  samlRequest: 'saml-request:',
  /** Rate-limit counters. */
  rateLimits: 'rl:',
  /** Each member's index of session ids (src/session/member-sessions.ts), a set per member. */
  memberSessions: 'member-sess:',
} as const;

export type Namespace = keyof typeof NAMESPACES;

/** The full Redis key prefix of a namespace, for the libraries that write Redis themselves (rate limits). */
export function redisKeyPrefix(deploymentPrefix: string, namespace: Namespace): string {
  return `${deploymentPrefix}${NAMESPACES[namespace]}`;
}
