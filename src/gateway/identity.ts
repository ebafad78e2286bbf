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
 * Requests that miss together share one read: a page's dozen parallel requests, arriving as the entry expires,
 * would otherwise each read the member, their groups and their terms.
 */
export class IdentityCache {
  private readonly cache: LRUCache<string, Identity | 'missing'>;
  private readonly loading = new Map<string, Promise<Identity | null>>();

  constructor(
    private readonly runtime: Runtime,
    private readonly load: (runtime: Runtime, memberId: string) => Promise<Identity | null> = loadIdentity,
  ) {
    this.cache = new LRUCache({ max: 50_000, ttl: runtime.config.gateway.identityCacheTtl });
  }

  async get(memberId: string): Promise<Identity | null> {
    const cached = this.cache.get(memberId);
    if (cached) return cached === 'missing' ? null : cached;
    const pending = this.loading.get(memberId);
    if (pending) return pending;
    const loaded = this.load(this.runtime, memberId);
    this.loading.set(memberId, loaded);
    try {
      const identity = await loaded;
      // Forgotten while it loaded: the read may predate the change that made it forget, so it is not kept.
      if (this.loading.get(memberId) === loaded) this.cache.set(memberId, identity ?? 'missing');
      return identity;
    } finally {
      if (this.loading.get(memberId) === loaded) this.loading.delete(memberId);
    }
  }

  forget(memberId: string): void {
    this.cache.delete(memberId);
    this.loading.delete(memberId);
  }
}
