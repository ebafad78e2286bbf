import type { Config, SamlProviderConfig } from '../../config/schema.js';
import { loadCertificate, loadPrivateKey } from './certificates.js';

/** claimgate as a SAML service provider for one configured IdP: its URLs and optional keys. */
export interface SpDescription {
  entityId: string;
  acsUrl: string;
  sloUrl: string;
  signing?: { key: string; cert: string };
  decryption?: { key: string; cert?: string };
}

export function describeSp(config: Config, provider: SamlProviderConfig, at: string): SpDescription {
  // Endpoints are built from baseUrl, never from the Host header.
  const base = `${config.baseUrl}/sso/saml/${encodeURIComponent(provider.id)}`;
  const signing = provider.spSigningKeyFile && provider.spSigningCertFile
    ? { key: loadPrivateKey(provider.spSigningKeyFile, `${at}.spSigningKeyFile`), cert: loadCertificate(provider.spSigningCertFile, `${at}.spSigningCertFile`) }
    : undefined;
  const decryption = provider.spDecryptionKeyFile
    ? {
        key: loadPrivateKey(provider.spDecryptionKeyFile, `${at}.spDecryptionKeyFile`),
        ...(provider.spDecryptionCertFile ? { cert: loadCertificate(provider.spDecryptionCertFile, `${at}.spDecryptionCertFile`) } : {}),
      }
    : undefined;
  return {
    entityId: provider.spEntityId ?? `${base}/metadata`,
    acsUrl: `${base}/acs`,
    sloUrl: `${base}/slo`,
    ...(signing ? { signing } : {}),
    ...(decryption ? { decryption } : {}),
  };
}
