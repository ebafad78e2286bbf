import { inflateRawSync } from 'node:zlib';
import type { Element } from '@xmldom/xmldom';
import { ssoFailure } from '../failure.js';
import { parseXml } from './xml.js';

const REDIRECT_SIGNATURES = new Set([
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
]);

/**
 * An IdP-initiated LogoutRequest (HTTP-Redirect binding) must be signed with SHA-2 — node-saml accepts an unsigned
 * one — and addressed to this provider's SLO endpoint. Its XML is inflated with a size limit and refused if it
 * declares a DOCTYPE, before node-saml reads it.
 */
export function checkLogoutRequest(query: Record<string, unknown>, sloUrl: string): void {
  const { SAMLRequest: message, Signature: signature, SigAlg: algorithm } = query;
  if (typeof message !== 'string' || typeof signature !== 'string' || typeof algorithm !== 'string') {
    throw ssoFailure('saml_logout_unsigned', 'LogoutRequest without a signature');
  }
  if (!REDIRECT_SIGNATURES.has(algorithm)) throw ssoFailure('saml_weak_algorithm', `SigAlg not allowed: ${algorithm.slice(0, 100)}`);
  let xml: string;
  try {
    xml = inflateRawSync(Buffer.from(message, 'base64'), { maxOutputLength: 64 * 1024 }).toString('utf8');
  } catch {
    throw ssoFailure('saml_logout_invalid', 'LogoutRequest does not inflate (or is larger than 64 kB)');
  }
  let root: Element;
  try {
    root = parseXml(xml).documentElement as unknown as Element;
  } catch (error) {
    throw ssoFailure(/DOCTYPE|document type/i.test((error as Error).message) ? 'saml_doctype_refused' : 'saml_logout_invalid', (error as Error).message);
  }
  if (root.localName !== 'LogoutRequest') throw ssoFailure('saml_logout_invalid', `not a LogoutRequest: ${root.localName}`);
  if (root.getAttribute('Destination') !== sloUrl) throw ssoFailure('saml_destination_mismatch', 'LogoutRequest Destination is not this SLO endpoint');
}
