import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Names that answer with a cloud provider's instance metadata (credentials included) from inside the instance,
 * whatever address they resolve to.
 */
const METADATA_NAMES = new Set(['metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal', 'metadata.azure.com']);

/** Error code of a connection refused because of where it would go. */
export const PRIVATE_TARGET = 'ECLAIMGATE_PRIVATE_TARGET';

/**
 * Why an address is no place for a webhook, or null for a public unicast one. ipaddr.js names the ranges: loopback,
 * linkLocal, private, uniqueLocal, unspecified, multicast, broadcast, carrierGradeNat, reserved and the rest; only
 * `unicast` (public) passes. IPv4-mapped IPv6 (::ffff:127.0.0.1) is judged as the IPv4 address it carries.
 */
export function refusedAddressRange(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'not an address';
  const range = ipaddr.process(address).range();
  return range === 'unicast' ? null : range;
}

/** The URL's host without IPv6 brackets, lower case. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

/** What a host name or literal address is refused for before any DNS: a literal non-public address or a metadata name. */
export function literalTargetProblem(url: URL): string | null {
  const host = hostOf(url);
  if (METADATA_NAMES.has(host.replace(/\.$/, ''))) return `${host} is a cloud metadata service`;
  if (isIP(host)) {
    const range = refusedAddressRange(host);
    if (range) return `${host} is a ${range} address, not a public one`;
  }
  return null;
}

/** User name and password in a URL end up in logs, audit rows and API answers: refused everywhere. */
export function userinfoProblem(url: URL): string | null {
  return url.username || url.password ? 'must not carry a user name or password (user:pass@)' : null;
}

export type ResolveAll = (host: string) => Promise<LookupAddress[]>;

const systemResolveAll: ResolveAll = (host) => new Promise((resolve, reject) => {
  dnsLookup(host, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses)));
});

/**
 * Why a webhook may not be sent to this URL, or null. With private targets not allowed, the host must be, or
 * resolve only to, public addresses; the delivery checks again at connect time (see `guardedLookup`), since a name
 * may resolve elsewhere by then.
 */
export async function webhookTargetProblem(raw: string, allowPrivateTargets: boolean, resolveAll: ResolveAll = systemResolveAll): Promise<string | null> {
  const url = new URL(raw);
  const credentials = userinfoProblem(url);
  if (credentials || allowPrivateTargets) return credentials;
  const literal = literalTargetProblem(url);
  if (literal || isIP(hostOf(url))) return literal;
  // A name that does not resolve yet is let through: every delivery checks the address it connects to.
  const addresses = await resolveAll(hostOf(url)).catch((): LookupAddress[] => []);
  const refused = addresses.map((entry) => ({ address: entry.address, range: refusedAddressRange(entry.address) })).find((entry) => entry.range);
  return refused ? `${hostOf(url)} resolves to ${refused.address}, a ${refused.range} address, not a public one` : null;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
type Lookup = (hostname: string, options: LookupAllOptions, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

/**
 * A `lookup` for sockets that fails the connection when the name resolves to any non-public address, so the address
 * connected to is the one checked (a name that changes its answer after the endpoint was saved gets nowhere).
 */
export function guardedLookup(base: Lookup = dnsLookup as Lookup): LookupFunction {
  return ((hostname: string, options: LookupOneOptions | LookupAllOptions, callback: LookupCallback) => {
    base(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const refused = addresses.map((entry) => ({ address: entry.address, range: refusedAddressRange(entry.address) })).find((entry) => entry.range);
      if (refused || !addresses.length) {
        const reason = refused ? `${hostname} resolves to ${refused.address}, a ${refused.range} address` : `${hostname} has no address`;
        return callback(Object.assign(new Error(reason), { code: PRIVATE_TARGET }), []);
      }
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  }) as LookupFunction;
}
