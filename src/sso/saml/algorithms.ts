import type { Document } from '@xmldom/xmldom';
import { ssoFailure } from '../failure.js';
import { el, selectValues } from './xml.js';

const SIGNATURES = new Set([
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384',
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512',
]);
const DIGESTS = new Set([
  'http://www.w3.org/2001/04/xmlenc#sha256',
  'http://www.w3.org/2001/04/xmldsig-more#sha384',
  'http://www.w3.org/2001/04/xmlenc#sha512',
]);

/**
 * xml-crypto still verifies SHA-1 signatures and digests, which are forgeable in practice: every signature in the
 * response must use SHA-2, or the whole response is refused.
 */
export function refuseWeakAlgorithms(document: Document): void {
  const signatureMethods = selectValues(`//${el('Signature')}/${el('SignedInfo')}/${el('SignatureMethod')}/@Algorithm`, document);
  const digestMethods = selectValues(`//${el('Signature')}/${el('SignedInfo')}/${el('Reference')}/${el('DigestMethod')}/@Algorithm`, document);
  const weak = [...signatureMethods.filter((uri) => !SIGNATURES.has(uri)), ...digestMethods.filter((uri) => !DIGESTS.has(uri))];
  if (weak.length) throw ssoFailure('saml_weak_algorithm', `signature or digest algorithm not allowed: ${[...new Set(weak)].join(', ')}`);
}
