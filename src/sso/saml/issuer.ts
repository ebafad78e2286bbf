import type { Document } from '@xmldom/xmldom';
import { ssoFailure } from '../failure.js';
import type { VerifiedAssertion } from './verified-assertion.js';
import { el, selectValues } from './xml.js';

/** The signed assertion must name exactly the expected IdP as its Issuer, and so must the Response if it names one. */
export function checkIssuer(response: Document, assertion: VerifiedAssertion, expected: string): void {
  if (assertion.issuers.length !== 1 || assertion.issuers[0] !== expected) {
    throw ssoFailure('saml_issuer_mismatch', `assertion issuer ${JSON.stringify(assertion.issuers)} is not the configured IdP`);
  }
  const responseIssuers = selectValues(`/${el('Response')}/${el('Issuer')}/text()`, response).map((value) => value.trim());
  if (responseIssuers.length > 1 || (responseIssuers.length === 1 && responseIssuers[0] !== expected)) {
    throw ssoFailure('saml_issuer_mismatch', `response issuer ${JSON.stringify(responseIssuers)} is not the configured IdP`);
  }
}
