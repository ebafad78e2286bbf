import * as client from 'openid-client';
import { SsoFailure, ssoFailure } from '../failure.js';

function causes(error: unknown): Array<{ message: string; claim?: string; code?: string }> {
  const found: Array<{ message: string; claim?: string; code?: string }> = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const e = current as { message?: unknown; code?: unknown; cause?: unknown };
    const cause = e.cause as { claim?: unknown } | undefined;
    found.push({
      message: typeof e.message === 'string' ? e.message : '',
      ...(typeof cause?.claim === 'string' ? { claim: cause.claim } : {}),
      ...(typeof e.code === 'string' ? { code: e.code } : {}),
    });
    current = e.cause;
  }
  return found;
}

/** Names what openid-client refused, as a stable reason for the audit row. */
export function oidcFailure(error: unknown): SsoFailure {
  if (error instanceof SsoFailure) return error;
  const chain = causes(error);
  const text = chain.map((entry) => entry.message).join(' | ');
  const claim = chain.find((entry) => entry.claim)?.claim;
  const reason = (() => {
    if (error instanceof client.AuthorizationResponseError) return 'provider_error';
    if (/"alg"|JWS "alg"|JWS algorithm/i.test(text)) return 'id_token_alg_not_allowed';
    if (claim === 'aud' || claim === 'azp' || /"aud"|"azp"/.test(text)) return 'id_token_audience_mismatch';
    if (claim === 'iss' || /"iss"/.test(text)) return 'issuer_mismatch';
    if (claim === 'nonce' || /nonce/i.test(text)) return 'nonce_mismatch';
    if (claim === 'exp' || claim === 'iat' || claim === 'nbf' || /"exp"|"nbf"|"iat"/.test(text)) return 'id_token_expired';
    if (/signature/i.test(text)) return 'id_token_signature_invalid';
    if (/state/i.test(text)) return 'state_mismatch';
    if (error instanceof client.ResponseBodyError) return 'token_exchange_failed';
    if (/fetch failed|ECONNREFUSED|timed? ?out|aborted/i.test(text)) return 'provider_unreachable';
    return 'oidc_response_invalid';
  })();
  return ssoFailure(reason, text, reason === 'provider_unreachable' ? 'sso_unavailable' : 'sso_failed');
}
