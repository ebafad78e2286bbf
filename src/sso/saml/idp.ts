import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SamlProviderConfig } from '../../config/schema.js';
import { loadCertificate } from './certificates.js';
import { MetadataError, parseIdpMetadata, type IdpDescription } from './idp-metadata.js';

const METADATA_MAX_BYTES = 1024 * 1024;

/**
 * The IdP as configured without the network: a metadata file, or entryPoint + idpCert. Throws a MetadataError or
 * CertificateError naming the key at fault. Answers undefined for a metadata URL (read when first needed).
 */
export function staticIdp(provider: SamlProviderConfig, at: string): IdpDescription | undefined {
  if (provider.idpMetadataFile) {
    let xml: string;
    try {
      xml = readFileSync(resolve(provider.idpMetadataFile), 'utf8');
    } catch (error) {
      throw new MetadataError(`${at}.idpMetadataFile: cannot read file "${provider.idpMetadataFile}" (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    return withIssuer(parseIdpMetadata(xml, `${at}.idpMetadataFile`, provider.idpIssuer), provider);
  }
  if (provider.entryPoint) {
    const values = Array.isArray(provider.idpCert) ? provider.idpCert : [provider.idpCert ?? ''];
    const signingCerts = values.map((value, index) => loadCertificate(value, Array.isArray(provider.idpCert) ? `${at}.idpCert.${index}` : `${at}.idpCert`));
    return { entityId: provider.idpIssuer!, ssoUrl: provider.entryPoint, signingCerts };
  }
  return undefined;
}

export function withIssuer(idp: IdpDescription, provider: SamlProviderConfig): IdpDescription {
  return provider.idpIssuer ? { ...idp, entityId: provider.idpIssuer } : idp;
}

/** Fetches and parses IdP metadata from its URL (bounded in time and size). */
export async function fetchMetadata(url: string, entityId?: string): Promise<IdpDescription> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000), redirect: 'error', headers: { accept: 'application/samlmetadata+xml, application/xml, text/xml' } });
  if (!response.ok) throw new MetadataError(`metadata URL answered ${response.status}`);
  const text = await response.text();
  if (text.length > METADATA_MAX_BYTES) throw new MetadataError('metadata is larger than 1 MB');
  return parseIdpMetadata(text, 'idpMetadataUrl', entityId);
}
