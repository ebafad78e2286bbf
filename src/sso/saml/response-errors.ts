import { SamlStatusError } from '@node-saml/node-saml';
import { SsoFailure, ssoFailure } from '../failure.js';

const REASONS: Array<[RegExp, string]> = [
  [/InResponseTo is missing/i, 'saml_unsolicited'],
  [/InResponseTo/i, 'saml_unknown_request'],
  [/signature|multiple assertions|Cannot obtain assertion/i, 'saml_signature_invalid'],
  [/audience/i, 'saml_audience_mismatch'],
  [/No valid subject confirmation/i, 'saml_outside_validity_window'],
  [/not yet valid/i, 'saml_not_yet_valid'],
  [/expired/i, 'saml_expired'],
];

/** Turns what node-saml threw into an SsoFailure with a stable reason for the audit row. */
export function failureFromValidation(error: unknown): SsoFailure {
  if (error instanceof SsoFailure) return error;
  if (error instanceof SamlStatusError) return ssoFailure('saml_idp_status', error.message);
  const message = error instanceof Error ? error.message : String(error);
  const reason = REASONS.find(([pattern]) => pattern.test(message))?.[1] ?? 'saml_response_invalid';
  return ssoFailure(reason, message);
}
