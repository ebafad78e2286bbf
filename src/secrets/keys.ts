import { hkdfSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from '../config/schema.js';

/** Keys derived from the server secret, one per purpose. None of them is ever stored in the database. */
export interface Keys {
  claimLink: Buffer;
  recoveryLink: Buffer;
  session: string;
  exportLink: Buffer;
  accessCode: Buffer;
  accessCodeHash: Buffer;
  /** Seed of the default identity-token signing key (Ed25519) when the configuration names none. */
  identityTokenSeed: Buffer;
  /** Seals the signing secrets of webhook endpoints created by the CLI or API. */
  webhookSecrets: Buffer;
}

function derive(root: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', root, 'claimgate', purpose, 32));
}

/**
 * The embedded mode keeps its secret in a file beside the database (mode 0600), created on first start,
 * so that a copy of the database alone is never enough to forge a claim link.
 * With PostgreSQL the configuration must name the secret (the schema refuses to start without it).
 */
function embeddedSecret(dataDir: string): string {
  const file = join(resolve(dataDir), 'secret.key');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(resolve(dataDir), { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  try {
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (error) {
    // Another process (the CLI beside the server) created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
    throw error;
  }
}

export function loadKeys(config: Config): Keys {
  const root = config.secret ?? embeddedSecret(config.dataDir);
  return {
    claimLink: derive(root, 'claim-link/v1'),
    recoveryLink: derive(root, 'recovery-link/v1'),
    session: derive(root, 'session/v1').toString('base64url'),
    exportLink: derive(root, 'export-link/v1'),
    accessCode: derive(root, 'access-code/v1'),
    accessCodeHash: derive(root, 'access-code-hash/v1'),
    identityTokenSeed: derive(root, 'identity-token-ed25519/v1'),
    webhookSecrets: derive(root, 'webhook-secrets/v1'),
  };
}
