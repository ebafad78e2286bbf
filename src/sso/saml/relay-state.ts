import { safeReturnPath } from '../../http/return-to.js';
import { ssoFailure } from '../failure.js';

/**
 * RelayState comes back unsigned, through the browser: it may only be a relative path under one of the configured
 * prefixes (`safeReturnPath` refuses any value that URL parsing would change). Anything else is refused (and
 * audited) rather than followed.
 */
export function allowedRelayState(value: unknown, allowlist: string[]): string | undefined {
  if (value === undefined || value === '') return undefined;
  const path = safeReturnPath(value);
  if (!path || !allowlist.some((prefix) => path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`))) {
    throw ssoFailure('saml_relay_state_refused', `RelayState is not an allowed relative path: ${String(value).slice(0, 100)}`);
  }
  return path;
}
