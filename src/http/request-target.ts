import type { IncomingMessage } from 'node:http';

// What URL parsing (which the proxy applies to every target before forwarding it) can rewrite in a path: dot
// segments, percent-encoded or not, and backslashes, which it reads as slashes.
const PARSING_REWRITES = /\\|\/(?:\.|%2e)/i;

/**
 * Decides, once per request, the path that claimgate and the upstream will both see. The proxy forwards the parsed
 * form of the request target (`new URL(req.url)`'s path and query), which resolves an absolute-form target
 * (`GET http://host/admin`) and dot segments (`/app/../admin`, `/app/%2e%2e/admin`, `/app\..\admin`). When parsing
 * would change the target, `req.url` becomes the parsed form, so the ownership decision, claimgate's own routes and
 * the upstream never disagree. An ordinary origin-form target is returned as it is, without parsing.
 * Returns undefined for a target that does not parse.
 */
export function normaliseRequestTarget(req: IncomingMessage): string | undefined {
  const url = req.url ?? '/';
  const end = url.search(/[?#]/);
  const path = end === -1 ? url : url.slice(0, end);
  if (path.startsWith('/') && !PARSING_REWRITES.test(path)) return path;
  let parsed: URL;
  try {
    // The proxy's own reading: a target starting with `//` is a path, not a host.
    parsed = url.startsWith('//') ? new URL(`http://target.invalid${url}`) : new URL(url, 'http://target.invalid');
  } catch {
    return undefined;
  }
  req.url = `${parsed.pathname}${parsed.search}`;
  return parsed.pathname;
}
