import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { Identity } from './identity.js';

export const IDENTITY_HEADER = {
  user: 'x-claimgate-user',
  email: 'x-claimgate-email',
  username: 'x-claimgate-username',
  name: 'x-claimgate-name',
  groups: 'x-claimgate-groups',
  chosenGroups: 'x-claimgate-chosen-groups',
  token: 'x-claimgate-identity',
} as const;

const encoded = new WeakMap<Identity, Array<[string, string]>>();

/**
 * Writes the identity headers into `headers` (the request's own object: nothing is copied per request). Header values
 * must be Latin-1: names and groups are percent-encoded UTF-8, each group on its own; the encoding is done once per
 * cached identity.
 */
export function writeIdentityHeaders(headers: IncomingHttpHeaders, identity: Identity, token: string): void {
  let fixed = encoded.get(identity);
  if (!fixed) {
    fixed = Object.entries(encodeIdentity(identity));
    encoded.set(identity, fixed);
  }
  for (const [name, value] of fixed) headers[name] = value;
  headers[IDENTITY_HEADER.token] = token;
}

/** The identity headers as an object of their own (forward auth answers with them). */
export function identityHeaders(identity: Identity, token: string): Record<string, string> {
  const headers: IncomingHttpHeaders = {};
  writeIdentityHeaders(headers, identity, token);
  return headers as Record<string, string>;
}

function encodeIdentity(identity: Identity): Record<string, string> {
  const headers: Record<string, string> = {
    [IDENTITY_HEADER.user]: identity.id,
    [IDENTITY_HEADER.groups]: identity.groups.map(encodeURIComponent).join(','),
    [IDENTITY_HEADER.chosenGroups]: identity.chosenGroups.map(encodeURIComponent).join(','),
  };
  if (identity.email) headers[IDENTITY_HEADER.email] = encodeURIComponent(identity.email).replace(/%40/g, '@');
  if (identity.username) headers[IDENTITY_HEADER.username] = identity.username;
  if (identity.name) headers[IDENTITY_HEADER.name] = encodeURIComponent(identity.name);
  return headers;
}

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'upgrade'] as const;
// Naming these in Connection must never remove them: without its framing a body would reach the upstream as a second request.
const FRAMING = new Set(['content-length', 'transfer-encoding', 'host']);

/** The headers a Connection header names (lower case), except the message framing; undefined when it names none. */
export function namedInConnection(connection: string | string[] | undefined): Set<string> | undefined {
  if (!connection) return undefined;
  // Most messages say just keep-alive or close, which name no header.
  if (connection === 'keep-alive' || connection === 'close') return undefined;
  let named: Set<string> | undefined;
  for (const part of (Array.isArray(connection) ? connection.join(',') : connection).split(',')) {
    const name = part.trim().toLowerCase();
    if (!name || FRAMING.has(name) || name === 'keep-alive' || name === 'close') continue;
    (named ??= new Set()).add(name);
  }
  return named;
}

/**
 * Removes the headers that describe this hop, not the request (RFC 9110 section 7.6.1), including every header the
 * client named in Connection, except the message framing. WebSocket upgrades keep Connection and Upgrade.
 */
export function stripHopByHopHeaders(headers: IncomingHttpHeaders, keepUpgrade: boolean): void {
  const named = namedInConnection(headers.connection);
  if (named) for (const name of named) if (!keepUpgrade || name !== 'upgrade') delete headers[name];
  for (const name of HOP_BY_HOP) {
    if (keepUpgrade && (name === 'connection' || name === 'upgrade')) continue;
    if (headers[name] !== undefined) delete headers[name];
  }
}

/** Keeps every cookie for the upstream except claimgate's own session cookie, which is no business of the upstream's. */
export function stripSessionCookie(headers: IncomingHttpHeaders, cookieName: string): void {
  const cookie = headers.cookie;
  // Most requests of a signed-in browser carry the session cookie; a header that cannot hold it is left as it is.
  if (!cookie || !cookie.includes(cookieName)) return;
  const kept = cookie.split(';').filter((pair) => pair.split('=')[0]!.trim() !== cookieName).join(';').trim();
  if (kept) headers.cookie = kept;
  else delete headers.cookie;
}

const HOP_BY_HOP_SET = new Set<string>(HOP_BY_HOP);

/** An answer's headers without those describing its hop (the upstream's framing included: Node writes the client's). */
export function endToEndHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = namedInConnection(headers.connection);
  const out: OutgoingHttpHeaders = {};
  for (const name in headers) {
    if (name === 'transfer-encoding' || HOP_BY_HOP_SET.has(name) || named?.has(name)) continue;
    out[name] = headers[name];
  }
  return out;
}
