import { LRUCache } from 'lru-cache';
import { assignedGroupNames } from '../groups/assigned.js';
import { chosenGroupNames } from '../groups/groups.js';
import type { Runtime } from '../runtime.js';
import { acceptedTermsVersion } from '../claim/terms-currency.js';
import { owesNewPassword } from '../http/require-member.js';

/** What the upstream learns about a member. Read from the database, then reused for a short while. */
export interface Identity {
  id: string;
  email: string | null;
  username: string | null;
  name: string | null;
  /** Groups the organisation assigned (admin, import, SSO, SCIM): the only groups access decisions read. */
  groups: string[];
  /** Groups the member chose at first access: social, passed on under their own name, never used for access. */
  chosenGroups: string[];
  loginMethod: string;
  status: string;
  acceptedTermsVersion: string | null;
  /** An admin asked for a new password: nothing passes until the member has chosen it. */
  owesNewPassword: boolean;
}

export async function loadIdentity(runtime: Runtime, memberId: string): Promise<Identity | null> {
  const { db } = runtime;
  const member = await db.source.manager.findOneBy(db.entities.Member, { id: memberId });
  if (!member) return null;
  const [groups, chosenGroups] = await Promise.all([assignedGroupNames(db, memberId), chosenGroupNames(db, memberId)]);
  return {
    id: member.id,
    email: member.email,
    username: member.username,
    name: member.name ?? ([member.firstName, member.lastName].filter(Boolean).join(' ') || null),
    groups,
    chosenGroups,
    loginMethod: member.loginMethod,
    status: member.status,
    acceptedTermsVersion: await acceptedTermsVersion(db, memberId),
    owesNewPassword: owesNewPassword(member),
  };
}

/**
 * Keeps identities for `gateway.identityCacheTtl` so a steady stream of proxied requests does not read the
 * database each time. A deactivation or group change reaches the upstream within that time on every replica.
 */
export class IdentityCache {
  private readonly cache: LRUCache<string, Identity | 'missing'>;

  constructor(private readonly runtime: Runtime) {
    this.cache = new LRUCache({ max: 50_000, ttl: runtime.config.gateway.identityCacheTtl });
  }

  async get(memberId: string): Promise<Identity | null> {
    const cached = this.cache.get(memberId);
    if (cached) return cached === 'missing' ? null : cached;
    const identity = await loadIdentity(this.runtime, memberId);
    this.cache.set(memberId, identity ?? 'missing');
    return identity;
  }

  forget(memberId: string): void {
    this.cache.delete(memberId);
  }
}
