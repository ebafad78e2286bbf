import type { IncomingMessage } from 'node:http';

export interface ForwardedTarget {
  host: string | undefined;
  path: string;
  method: string;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text?.trim() || undefined;
}

/** The path of a request target as URL parsing reads it (absolute form, dot segments), or undefined when it does not parse. */
function parsedPath(target: string): { host: string | undefined; path: string } | undefined {
  try {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
      const url = new URL(target);
      return { host: url.host, path: url.pathname };
    }
    const url = target.startsWith('//') ? new URL(`http://target.invalid${target}`) : new URL(target, 'http://target.invalid');
    return { host: undefined, path: url.pathname };
  } catch {
    return undefined;
  }
}

/**
 * The request a web server asks forward auth about: nginx and Traefik send X-Forwarded-Uri, X-Forwarded-Host and
 * X-Forwarded-Method; others X-Original-URL (a full URL or a path) and X-Original-Method. Read only on /auth/verify,
 * which the web server calls itself: a client calling it directly learns only its own answer. Undefined when the
 * server names no request (every route then reads as the default route) or a target that does not parse.
 */
export function forwardedTarget(req: IncomingMessage): ForwardedTarget | undefined | 'unparsable' {
  const original = header(req, 'x-original-url');
  const uri = original ?? header(req, 'x-forwarded-uri');
  if (!uri) return undefined;
  const parsed = parsedPath(uri);
  if (!parsed) return 'unparsable';
  return {
    host: parsed.host ?? header(req, 'x-forwarded-host'),
    path: parsed.path,
    method: (header(req, 'x-forwarded-method') ?? header(req, 'x-original-method') ?? 'GET').toUpperCase(),
  };
}
