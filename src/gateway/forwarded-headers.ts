import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';
import type { Config } from '../config/schema.js';

export interface ForwardedHeaders {
  /** The client address chain through the proxies `trustProxy` trusts: read before the client's headers are stripped. */
  chain(req: IncomingMessage): string;
  /** Writes the forwarding headers and Host (the client's own are already gone: client-headers.ts); `target` is the chosen upstream. */
  write(req: IncomingMessage, chain: string, target?: string): void;
}

/**
 * The forwarding headers and Host from what claimgate knows, never from what the client claims: the address chain
 * only through trusted proxies, the public host and scheme from `baseUrl` (so an upstream building links from
 * X-Forwarded-Host cannot be pointed at another site), and Host from `upstream.host`: baseUrl's by default, so that
 * Host and X-Forwarded-Host agree and links built from either name the gateway; the upstream's own for a server
 * that routes by name.
 */
export function forwardedHeaders(config: Config): ForwardedHeaders {
  const trust = trustFunction(config.trustProxy);
  const base = new URL(config.baseUrl);
  const proto = base.protocol.replace(':', '');
  const port = base.port || (proto === 'https' ? '443' : '80');
  const ownHost = config.upstream.host === 'upstream';
  const host = ownHost && config.upstream.url ? new URL(config.upstream.url).host : base.host;
  const upstreamHosts = new Map<string, string>();
  const hostOf = (target: string | undefined) => {
    if (!ownHost || !target || target === config.upstream.url) return host;
    let known = upstreamHosts.get(target);
    if (!known) upstreamHosts.set(target, (known = new URL(target).host));
    return known;
  };
  return {
    chain: (req) => proxyaddr.all(req, trust).reverse().join(', '),
    write(req, chain, target) {
      req.headers['x-forwarded-for'] = chain;
      req.headers['x-forwarded-host'] = base.host;
      req.headers['x-forwarded-proto'] = proto;
      req.headers['x-forwarded-port'] = port;
      req.headers.host = hostOf(target);
    },
  };
}

/** The same reading of `trustProxy` as Express's `trust proxy` setting. */
function trustFunction(value: Config['trustProxy']): (address: string, hop: number) => boolean {
  if (value === true) return () => true;
  if (value === false) return () => false;
  if (typeof value === 'number') return (_address, hop) => hop < value;
  return proxyaddr.compile(value.split(',').map((part) => part.trim()));
}
