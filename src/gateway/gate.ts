import type { IncomingMessage } from 'node:http';
import accepts from 'accepts';
import type { Runtime } from '../runtime.js';
import type { Identity } from './identity.js';
import type { ErrorCode } from '../http/errors.js';
import { termsAreCurrent } from '../claim/terms-currency.js';

export type GateRefusal = 'anonymous' | 'terms' | 'deactivated' | 'password';
export type GateDecision = { ok: true; identity: Identity } | { ok: false; reason: GateRefusal };

export function isGateRefusal(reason: string): reason is GateRefusal {
  return Object.hasOwn(REFUSAL_CODES, reason);
}

/** The stable code an API client gets for each refusal. */
export function refusalCode(reason: GateRefusal): ErrorCode {
  return REFUSAL_CODES[reason];
}

const REFUSAL_CODES: Record<GateRefusal, ErrorCode> = {
  anonymous: 'not_signed_in', terms: 'terms_not_accepted', deactivated: 'account_deactivated', password: 'password_change_required',
};

/** Who may pass to the upstream: a signed-in, claimed member who has accepted the current terms. */
export async function decide(runtime: Runtime, memberId: string | undefined): Promise<GateDecision> {
  if (!memberId) return { ok: false, reason: 'anonymous' };
  let identity = await runtime.identities.get(memberId);
  if (identity?.status === 'deactivated') return { ok: false, reason: 'deactivated' };
  if (!identity || identity.status !== 'claimed') return { ok: false, reason: 'anonymous' };
  if (!termsAreCurrent(runtime.config, identity.acceptedTermsVersion)) {
    // The cached identity may predate an acceptance made on another replica: ask the database once before refusing,
    // so the gateway and the terms page never disagree (a redirect loop between them).
    runtime.identities.forget(memberId);
    identity = await runtime.identities.get(memberId);
    if (!identity || identity.status !== 'claimed') return { ok: false, reason: 'anonymous' };
    if (!termsAreCurrent(runtime.config, identity.acceptedTermsVersion)) return { ok: false, reason: 'terms' };
  }
  if (identity.owesNewPassword) return { ok: false, reason: 'password' };
  return { ok: true, identity };
}

/** API clients (JSON, or anything but a GET) get a status code; browsers get sent somewhere they can act. */
export function isApiRequest(req: IncomingMessage): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return true;
  return accepts(req).type(['html', 'json']) !== 'html';
}
