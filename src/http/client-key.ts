import { isIPv4, isIPv6 } from 'node:net';
import type { Request } from 'express';

/**
 * The key every per-address limit counts a client under. IPv4 counts by address (an IPv4-mapped IPv6 address counts
 * as its IPv4 address); IPv6 counts by network of `ipv6Prefix` bits, because one customer's /64 holds 2^64 addresses
 * and would otherwise get 2^64 budgets.
 */
export function clientKey(req: Request, ipv6Prefix: number): string {
  return addressKey(req.ip ?? 'unknown', ipv6Prefix);
}

export function addressKey(address: string, ipv6Prefix: number): string {
  const withoutZone = address.replace(/%.*$/, '');
  if (isIPv4(withoutZone)) return withoutZone;
  if (!isIPv6(withoutZone)) return address;
  const groups = ipv6Groups(withoutZone);
  if (isIpv4Mapped(groups)) return `${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}.${groups[7]! & 0xff}`;
  return `${networkOf(groups, ipv6Prefix).map((group) => group.toString(16)).join(':')}/${ipv6Prefix}`;
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a trailing dotted IPv4 part folded in). */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string | undefined) => (part ? part.split(':').map((group) => parseInt(group, 16)) : []);
  const front = parse(head);
  const back = parse(tail);
  const zeros = tail === undefined ? [] : new Array<number>(8 - front.length - back.length).fill(0);
  return [...front, ...zeros, ...back];
}

function isIpv4Mapped(groups: number[]): boolean {
  return groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
}

function networkOf(groups: number[], prefix: number): number[] {
  return groups.map((group, index) => {
    const bitsKept = Math.max(0, Math.min(16, prefix - index * 16));
    return bitsKept === 0 ? 0 : group & (0xffff << (16 - bitsKept)) & 0xffff;
  });
}
