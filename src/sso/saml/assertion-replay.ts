import type { Runtime } from '../../runtime.js';
import { ssoFailure } from '../failure.js';
import { useOnce } from '../once.js';
import type { VerifiedAssertion } from './verified-assertion.js';

/**
 * Each assertion ID is accepted once, atomically on every replica (Redis SET NX or a primary key), and remembered
 * until it could no longer pass the time checks anyway (its NotOnOrAfter plus the allowed clock skew).
 */
export async function acceptAssertionOnce(runtime: Runtime, providerId: string, assertion: VerifiedAssertion, clockSkewMs: number): Promise<void> {
  if (!assertion.notOnOrAfter) throw ssoFailure('saml_response_invalid', 'the assertion has no NotOnOrAfter: it could be replayed forever');
  const ttl = Math.max(assertion.notOnOrAfter.getTime() + clockSkewMs - runtime.now().getTime(), 1000);
  if (!(await useOnce(runtime, `saml\n${providerId}\n${assertion.id}`, ttl))) throw ssoFailure('saml_replay', 'assertion ID already used');
}
