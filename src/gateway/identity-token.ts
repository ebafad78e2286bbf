import { SignJWT } from 'jose';
import { LRUCache } from 'lru-cache';
import type { Runtime } from '../runtime.js';
import type { Identity } from './identity.js';
import { loadSigningKeys, type SigningKey } from './signing-keys.js';

/** Whether two identities put the same claims in a token (the cache hands out the same object most of the time). */
function sameClaims(a: Identity, b: Identity): boolean {
  return a === b || (a.id === b.id && a.email === b.email && a.username === b.username && a.name === b.name && a.groups.join('\n') === b.groups.join('\n') && a.chosenGroups.join('\n') === b.chosenGroups.join('\n'));
}

/**
 * Signs the short-lived identity token the upstream receives, and reuses it for the same session and identity
 * until half its lifetime is gone, so a proxied request costs no signature.
 */
export class IdentityTokens {
  readonly keys: SigningKey[];
  private readonly active: SigningKey;
  private readonly cache = new LRUCache<string, { identity: Identity; token: string; renewAt: number }>({ max: 50_000 });

  constructor(private readonly runtime: Runtime) {
    this.keys = loadSigningKeys(runtime.config, runtime.keys);
    this.active = this.keys.find((key) => key.active)!;
  }

  get issuer(): string {
    return this.runtime.config.baseUrl;
  }

  get audience(): string {
    const { config } = this.runtime;
    return config.gateway.jwt.audience ?? config.upstream.url ?? config.baseUrl;
  }

  /** The public keys, every configured one: the next key before it signs, the old one until its tokens expire. */
  jwks(): { keys: Array<Record<string, unknown>> } {
    return { keys: this.keys.map((key) => key.publicJwk) };
  }

  async tokenFor(sessionId: string, identity: Identity): Promise<string> {
    const now = this.runtime.now().getTime();
    const cached = this.cache.get(sessionId);
    if (cached && cached.renewAt > now && sameClaims(cached.identity, identity)) return cached.token;
    const ttl = this.runtime.config.gateway.jwt.ttl;
    const token = await new SignJWT({
      email: identity.email ?? undefined,
      preferred_username: identity.username ?? undefined,
      name: identity.name ?? undefined,
      groups: identity.groups,
      chosen_groups: identity.chosenGroups,
    })
      .setProtectedHeader({ alg: this.active.alg, kid: this.active.kid, typ: 'JWT' })
      .setIssuer(this.issuer)
      .setAudience(this.audience)
      .setSubject(identity.id)
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(Math.floor((now + ttl) / 1000))
      .sign(this.active.privateKey);
    this.cache.set(sessionId, { identity, token, renewAt: now + ttl / 2 }, { ttl: ttl / 2 });
    return token;
  }
}
