import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import type { Keys } from '../secrets/keys.js';

export interface SigningKey {
  kid: string;
  alg: 'EdDSA' | 'ES256';
  privateKey: KeyObject;
  publicJwk: Record<string, unknown>;
  active: boolean;
}

// An Ed25519 private key in PKCS#8 DER is this fixed prefix followed by the 32-byte seed.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function algorithmOf(key: KeyObject): SigningKey['alg'] {
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new Error(`identity-token keys must be Ed25519 or P-256 (got ${key.asymmetricKeyType})`);
}

function signingKey(kid: string, privateKey: KeyObject, active: boolean): SigningKey {
  const alg = algorithmOf(privateKey);
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  return { kid, alg, privateKey, active, publicJwk: { ...jwk, kid, alg, use: 'sig' } };
}

/**
 * The keys that sign the identity token sent to the upstream. Configured keys come from PEM files: one active
 * (signs and is published), the others published only, which is how a rotation runs (publish the next key first,
 * switch, keep the old one published until its last token has expired). With none configured, one Ed25519 key
 * is derived from the server secret, so every replica signs with the same key without further setup.
 */
export function loadSigningKeys(config: Config, keys: Keys): SigningKey[] {
  const configured = config.gateway.jwt.keys;
  if (configured.length) {
    return configured.map((key) => signingKey(key.id, createPrivateKey(readFileSync(resolve(key.privateKeyFile))), key.state === 'active'));
  }
  const privateKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, keys.identityTokenSeed]), format: 'der', type: 'pkcs8' });
  const kid = createHash('sha256').update(createPublicKey(privateKey).export({ format: 'der', type: 'spki' })).digest('base64url').slice(0, 16);
  return [signingKey(kid, privateKey, true)];
}
