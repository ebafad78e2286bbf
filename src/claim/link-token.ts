import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A claim link token is `<link id><mac>`: 128 random bits of id (hex), then HMAC-SHA256(server key, id) in base64url.
 * The database stores only the id, so a copy of it cannot produce a token; exporting again rebuilds the same token.
 */
const ID_LENGTH = 32;
const MAC_LENGTH = 43;
const TOKEN_PATTERN = /^[0-9a-f]{32}[A-Za-z0-9_-]{43}$/;

export function newLinkId(): string {
  return randomBytes(16).toString('hex');
}

function mac(key: Buffer, linkId: string): Buffer {
  return createHmac('sha256', key).update(`claim-link:${linkId}`).digest();
}

export function tokenForLink(key: Buffer, linkId: string): string {
  return linkId + createHmac('sha256', key).update(`claim-link:${linkId}`).digest('base64url');
}

/** Returns the link id when the token carries a valid MAC, otherwise undefined. Constant-time in the MAC. */
export function linkIdFromToken(key: Buffer, token: string): string | undefined {
  if (token.length !== ID_LENGTH + MAC_LENGTH || !TOKEN_PATTERN.test(token)) return undefined;
  const linkId = token.slice(0, ID_LENGTH);
  // Compared as text, not decoded: the last of 43 base64url characters carries 2 unused bits, so decoding would
  // accept four spellings of every token.
  const given = Buffer.from(token.slice(ID_LENGTH));
  const expected = Buffer.from(mac(key, linkId).toString('base64url'));
  return given.length === expected.length && timingSafeEqual(given, expected) ? linkId : undefined;
}
