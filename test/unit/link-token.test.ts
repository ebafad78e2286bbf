import { randomBytes } from 'node:crypto';
import { linkIdFromToken, linkTokenSigner, newLinkId, tokenForLink } from '../../src/claim/link-token.js';

describe('claim link tokens', () => {
  const key = randomBytes(32);

  it('round-trips and is the same every time it is rebuilt (exports repeat the link)', () => {
    const id = newLinkId();
    expect(tokenForLink(key, id)).toBe(tokenForLink(key, id));
    expect(linkIdFromToken(key, tokenForLink(key, id))).toBe(id);
  });

  it('is built the same by the signer an export uses, for any key length and any id', () => {
    for (const signingKey of [key, randomBytes(16), randomBytes(64), randomBytes(65), randomBytes(200)]) {
      const sign = linkTokenSigner(signingKey);
      const ids = [...Array.from({ length: 50 }, newLinkId), 'short', 'é'.repeat(16), 'x'.repeat(40)];
      for (const id of ids) expect(sign(id)).toBe(tokenForLink(signingKey, id));
    }
  });

  it('carries at least 128 random bits', () => {
    const ids = new Set(Array.from({ length: 1000 }, newLinkId));
    expect(ids.size).toBe(1000);
    expect(Buffer.from(newLinkId(), 'hex')).toHaveLength(16);
  });

  // Attack: someone with a copy of the database (link ids, no server secret) builds a link.
  it('cannot be forged from the link id without the server key', () => {
    const id = newLinkId();
    expect(linkIdFromToken(key, tokenForLink(randomBytes(32), id))).toBeUndefined();
  });

  // Attack: flipping characters of a real token, truncating or extending it.
  it('refuses tampered, truncated and padded tokens', () => {
    const id = newLinkId();
    const token = tokenForLink(key, id);
    const flipped = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    const otherId = newLinkId() + token.slice(32);
    for (const bad of [flipped, otherId, token.slice(0, -2), `${token}A`, '', 'x'.repeat(75), token.toUpperCase()]) {
      expect(linkIdFromToken(key, bad)).toBeUndefined();
    }
  });
});
