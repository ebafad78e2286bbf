import { ssoFailure } from '../failure.js';
import type { VerifiedAssertion } from './verified-assertion.js';

/** The assertion must be restricted to this service provider: every AudienceRestriction must name it. */
export function checkAudience(assertion: VerifiedAssertion, spEntityId: string): void {
  if (!assertion.audiences.length || assertion.audiences.some((audiences) => !audiences.includes(spEntityId))) {
    throw ssoFailure('saml_audience_mismatch', `audience ${JSON.stringify(assertion.audiences)} does not name this service provider`);
  }
}
