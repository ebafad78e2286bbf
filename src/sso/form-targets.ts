import type { Runtime } from '../runtime.js';

const discovered = new WeakMap<Runtime, Set<string>>();

function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const { origin } = new URL(url);
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

/** Records an identity provider origin learnt at run time (a discovered authorization or logout endpoint). */
export function addSsoFormTarget(runtime: Runtime, url: string | undefined): void {
  const origin = originOf(url);
  if (!origin) return;
  let set = discovered.get(runtime);
  if (!set) discovered.set(runtime, (set = new Set()));
  set.add(origin);
}

/**
 * The origins a form on claimgate may end up at: browsers apply CSP form-action to every redirect after a form
 * is sent, so "Start" on a claim link, "Continue" on the sign-in page and "Sign out" must be allowed to land at the
 * identity provider.
 */
export function ssoFormTargets(runtime: Runtime): string[] {
  const origins = new Set<string>(discovered.get(runtime));
  for (const provider of runtime.config.sso.providers) {
    const urls = provider.type === 'oidc' ? [provider.issuer] : [provider.entryPoint, provider.idpMetadataUrl];
    for (const url of urls) {
      const origin = originOf(url);
      if (origin) origins.add(origin);
    }
  }
  return [...origins];
}
