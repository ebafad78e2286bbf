import type { Config } from '../../config/schema.js';
import { staticIdp } from './idp.js';
import { describeSp } from './sp.js';

/**
 * Reads and parses every file a SAML provider names (metadata, certificates, keys), so `claimgate config check`
 * and the start of the server fail with the key at fault instead of at the first sign-in.
 */
export function samlConfigProblems(config: Config): string[] {
  const problems: string[] = [];
  config.sso.providers.forEach((provider, index) => {
    if (provider.type !== 'saml') return;
    const at = `sso.providers.${index}`;
    for (const check of [() => staticIdp(provider, at), () => describeSp(config, provider, at)]) {
      try {
        check();
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
  });
  return problems;
}
