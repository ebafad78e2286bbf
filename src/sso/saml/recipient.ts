import { ssoFailure } from '../failure.js';
import type { VerifiedAssertion } from './verified-assertion.js';

/**
 * Every bearer confirmation must name this ACS as its Recipient and the request it answers; node-saml checks
 * neither the Recipient nor that a confirmation exists at all.
 */
export function checkRecipient(assertion: VerifiedAssertion, acsUrl: string, inResponseTo: string): void {
  if (!assertion.confirmations.length) throw ssoFailure('saml_recipient_mismatch', 'no bearer SubjectConfirmationData');
  for (const confirmation of assertion.confirmations) {
    if (confirmation.recipient !== acsUrl) throw ssoFailure('saml_recipient_mismatch', `Recipient ${confirmation.recipient ?? '(none)'} is not this ACS`);
    if (confirmation.inResponseTo !== inResponseTo) throw ssoFailure('saml_unsolicited', 'SubjectConfirmationData InResponseTo does not match the response');
  }
}
