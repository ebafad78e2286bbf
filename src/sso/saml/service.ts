import type { SamlProviderConfig } from '../../config/schema.js';
import type { Runtime } from '../../runtime.js';
import { IdpDirectory } from './idp-directory.js';
import { createRequestStore, type RequestStore } from './request-store.js';
import { describeSp, type SpDescription } from './sp.js';
import { SamlAuthenticator } from './strategy.js';

/** What every SAML endpoint of one process shares: the IdPs, the SP descriptions, the request store. */
export interface SamlService {
  providers: SamlProviderConfig[];
  idps: IdpDirectory;
  sps: Map<string, SpDescription>;
  store: RequestStore;
  authenticator: SamlAuthenticator;
}

const services = new WeakMap<Runtime, SamlService>();

export function samlService(runtime: Runtime): SamlService {
  let service = services.get(runtime);
  if (service) return service;
  const { config } = runtime;
  const providers = config.sso.providers.filter((provider): provider is SamlProviderConfig => provider.type === 'saml');
  service = {
    providers,
    idps: new IdpDirectory(runtime, providers),
    sps: new Map(providers.map((provider) => [provider.id, describeSp(config, provider, `sso.providers.${config.sso.providers.indexOf(provider)}`)])),
    store: createRequestStore(runtime),
    authenticator: new SamlAuthenticator(),
  };
  services.set(runtime, service);
  return service;
}
