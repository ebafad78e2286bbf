import { createHash } from 'node:crypto';
import type { Runtime } from '../runtime.js';

/**
 * Marks `key` as used and answers true the first time only, on every replica (set-if-absent in the short-lived
 * store): a replayed OIDC callback or SAML response finds its key already taken.
 */
export async function useOnce(runtime: Runtime, key: string, ttlMs: number): Promise<boolean> {
  // Stored as a digest: fixed length, and nothing a provider sent is kept as such.
  const digest = createHash('sha256').update(key).digest('hex');
  return runtime.store.setIfAbsent('ssoOnce', digest, '1', ttlMs);
}
