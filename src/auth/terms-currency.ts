import type { Runtime } from '../runtime.js';

/** True when terms are switched on and the member's latest acceptance is not of the version in config. */
export async function needsTermsAcceptance(runtime: Runtime, memberId: string): Promise<boolean> {
  const { terms } = runtime.config.firstAccess;
  if (!terms.enabled) return false;
  const latest = await runtime.db.source.manager.findOne(runtime.db.entities.TermsAcceptance, {
    where: { memberId },
    order: { acceptedAt: 'DESC' },
  });
  return latest?.version !== terms.version;
}
