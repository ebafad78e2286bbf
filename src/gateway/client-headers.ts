import type { IncomingHttpHeaders } from 'node:http';

/*
 * Request headers that only a proxy or an authentication layer in front of an application may set. Upstream
 * frameworks read them for the scheme, host, port, path prefix or client address, or take them as the signed-in
 * user; a client that sends them hopes the upstream will believe it. claimgate writes the forwarding headers it
 * vouches for itself (forwarded-headers.ts) and its own identity headers (identity-headers.ts); every other member
 * of these families is removed. An entry ending in `-` is a family: every name starting with it.
 */

/** Scheme, host, port, path and client address, as proxies and load balancers write them. */
export const FORWARDING_HEADERS = [
  'forwarded', 'forwarded-for', 'x-forwarded', 'x-forwarded-', // X-Forwarded-For/Host/Proto/Port/Prefix/Server/Ssl/Uri/Method…
  'x-original-', 'x-rewrite-url', 'x-host', 'x-http-host-override', // IIS, nginx ingress, Symfony, Zend: the path or host before a rewrite
  'x-real-ip', 'x-client-ip', 'client-ip', 'true-client-ip', 'x-cluster-client-ip', 'cf-connecting-ip', 'fastly-client-ip', 'x-proxyuser-ip',
  'x-url-scheme', 'x-scheme', 'front-end-https', 'x-arr-ssl', 'x-script-name', 'x-envoy-external-address', 'x-envoy-original-path',
] as const;

/** The signed-in user as other authentication proxies and web servers hand it to their application. */
export const FOREIGN_IDENTITY_HEADERS = [
  'x-auth-request-', // oauth2-proxy (and X-Forwarded-User/Email/Groups/Preferred-Username/Access-Token, under x-forwarded-)
  'remote-', // Authelia's Remote-User/Groups/Name/Email; REMOTE_USER-style names
  'x-remote-', // Apache's X-Remote-User, Kubernetes' front proxy X-Remote-User/Group/Extra-*
  'oidc-', // mod_auth_openidc: OIDC_CLAIM_*, OIDC_access_token, OIDC_id_token_payload
  'x-webauth-', // Grafana's auth proxy
  'x-authenticated-', 'x-consumer-', // Kong
  'x-ms-client-principal', // Azure App Service authentication
  'x-goog-authenticated-user-', 'x-goog-iap-jwt-assertion', // Google IAP
  'x-amzn-oidc-', // AWS Application Load Balancer
  'cf-access-', // Cloudflare Access
  'x-pomerium-', 'x-vouch-', 'x-authentik-',
] as const;

// claimgate's own identity headers, which only claimgate may write.
const OWN_IDENTITY_HEADERS = ['x-claimgate-'];

/** One anchored pattern, built once: any letter case, and `_` for `-` (some servers and CGI layers treat them alike). */
function patternFor(entries: readonly string[]): RegExp {
  const alternatives = entries.map((entry) => {
    const spelled = entry.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/-/g, '[-_]');
    return entry.endsWith('-') ? spelled : `${spelled}$`;
  });
  return new RegExp(`^(?:${alternatives.join('|')})`, 'i');
}

const OWN = patternFor(OWN_IDENTITY_HEADERS);
const FOREIGN = patternFor([...FORWARDING_HEADERS, ...FOREIGN_IDENTITY_HEADERS]);

/**
 * Returns the function that removes, in place, every header of those families a client sent: claimgate's own
 * identity headers always, the others unless named in `keep` (lower-case names a trusted proxy in front sets).
 */
export function clientHeaderStripper(keep: readonly string[]): (headers: IncomingHttpHeaders) => void {
  const kept = new Set(keep);
  const strips = (name: string) => OWN.test(name) || (FOREIGN.test(name) && !kept.has(name));
  // Browsers send the same few names on every request: each is tested once. Names are the client's to choose, so
  // the memo stops growing at a bound and later names are simply tested each time.
  const verdicts = new Map<string, boolean>();
  return (headers) => {
    for (const name in headers) {
      let verdict = verdicts.get(name);
      if (verdict === undefined) {
        verdict = strips(name);
        if (verdicts.size < VERDICTS_KEPT) verdicts.set(name, verdict);
      }
      if (verdict) delete headers[name];
    }
  };
}

const VERDICTS_KEPT = 1_000;
