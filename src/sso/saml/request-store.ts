import type { Runtime } from '../../runtime.js';
import type { SsoStart } from '../start.js';

/** What is remembered about an AuthnRequest until the IdP answers it (or it expires). */
export interface PendingRequest {
  providerId: string;
  /** The request's IssueInstant, as node-saml stores it. */
  instant: string;
  start: SsoStart;
}

/**
 * Outstanding AuthnRequests, shared by every replica through the short-lived store (each expiring on its own).
 * `take` is atomic, so an answer is accepted once even when the same response is posted twice at the same moment.
 */
export interface RequestStore {
  save(id: string, entry: PendingRequest, ttlMs: number): Promise<void>;
  peek(id: string): Promise<PendingRequest | null>;
  take(id: string): Promise<PendingRequest | null>;
}

function decode(value: string | null): PendingRequest | null {
  if (!value) return null;
  try {
    return JSON.parse(value) as PendingRequest;
  } catch {
    return null;
  }
}

/** Request ids are ours (41 characters); anything much longer in an InResponseTo is no request of ours. */
const MAX_ID_LENGTH = 128;

export function createRequestStore(runtime: Runtime): RequestStore {
  const { store } = runtime;
  return {
    save: (id, entry, ttlMs) => store.set('samlRequest', id, JSON.stringify(entry), ttlMs),
    peek: async (id) => (id.length <= MAX_ID_LENGTH ? decode(await store.get('samlRequest', id)) : null),
    take: async (id) => (id.length <= MAX_ID_LENGTH ? decode(await store.take('samlRequest', id)) : null),
  };
}
