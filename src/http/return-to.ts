/**
 * Accepts only a path on this host, and only in the spelling it will be followed in. The checks (one leading slash,
 * no scheme, no host, no backslash, no control characters) apply to the value as given and percent-decoded, and the
 * value must come out of URL parsing unchanged: parsing collapses dot segments (`/.//evil.example`,
 * `/a/..//evil.example`, `/%2e%2e//evil.example`) and turns backslashes into slashes, so a value that parsing would
 * change is refused rather than followed in its parsed form. The SAML RelayState check uses this function too.
 */
export function safeReturnPath(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    return undefined;
  }
  for (const candidate of [value, decoded]) {
    if (!candidate.startsWith('/') || candidate.startsWith('//') || /[\\\u0000-\u001f\u007f]/.test(candidate)) return undefined;
  }
  const url = new URL(value, 'http://claimgate.invalid');
  const followed = `${url.pathname}${url.search}${url.hash}`;
  return url.host === 'claimgate.invalid' && followed === value ? value : undefined;
}
