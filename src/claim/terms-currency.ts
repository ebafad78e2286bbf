import type { Config } from '../config/schema.js';
import type { Database } from '../db/database.js';
import type { Runtime } from '../runtime.js';

/** The version of the terms the member accepted last, or null. */
export async function acceptedTermsVersion(db: Database, memberId: string): Promise<string | null> {
  const latest = await db.source.manager.findOne(db.entities.TermsAcceptance, { where: { memberId }, order: { acceptedAt: 'DESC' } });
  return latest?.version ?? null;
}

/** Whether a member who accepted `accepted` may carry on: terms are off, or that is the version in config. */
export function termsAreCurrent(config: Config, accepted: string | null): boolean {
  const { terms } = config.firstAccess;
  return !terms.enabled || accepted === terms.version;
}

/**
 * The one answer to "has this member accepted the terms in force?", for sign-in, SSO, every claimgate page and (through
 * the identity cache, which reads the same version) the gateway.
 */
export async function termsCurrent(runtime: Runtime, memberId: string): Promise<boolean> {
  if (!runtime.config.firstAccess.terms.enabled) return true;
  return termsAreCurrent(runtime.config, await acceptedTermsVersion(runtime.db, memberId));
}
