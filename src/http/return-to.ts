/**
 * Accepts only a path on this host: one leading slash, no scheme, no host, no backslash, no control characters,
 * also after percent-decoding (so `/%2F%2Fevil.example` and `/\evil.example` are refused).
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
  return url.host === 'claimgate.invalid' ? `${url.pathname}${url.search}${url.hash}` : undefined;
}
