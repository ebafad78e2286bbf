import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';
import type { Config } from '../config/schema.js';

const FROM_CLIENT = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port', 'x-real-ip'];

/**
 * Rewrites the forwarding headers from what claimgate knows, never from what the client claims: the address chain
 * only through proxies `trustProxy` trusts, and the public host and scheme from `baseUrl` (so an upstream building
 * links from X-Forwarded-Host cannot be pointed at another site).
 */
export function forwardedHeaders(config: Config) {
  const trust = trustFunction(config.trustProxy);
  const base = new URL(config.baseUrl);
  const proto = base.protocol.replace(':', '');
  const port = base.port || (proto === 'https' ? '443' : '80');
  return (req: IncomingMessage): void => {
    const chain = proxyaddr.all(req, trust).reverse();
    for (const name of FROM_CLIENT) delete req.headers[name];
    req.headers['x-forwarded-for'] = chain.join(', ');
    req.headers['x-forwarded-host'] = base.host;
    req.headers['x-forwarded-proto'] = proto;
    req.headers['x-forwarded-port'] = port;
  };
}

/** The same reading of `trustProxy` as Express's `trust proxy` setting. */
function trustFunction(value: Config['trustProxy']): (address: string, hop: number) => boolean {
  if (value === true) return () => true;
  if (value === false) return () => false;
  if (typeof value === 'number') return (_address, hop) => hop < value;
  return proxyaddr.compile(value.split(',').map((part) => part.trim()));
}
