import * as client from 'openid-client';
import type { Runtime } from '../../runtime.js';
import { ssoFailure } from '../failure.js';
import { addSsoFormTarget } from '../form-targets.js';
import type { OidcProvider } from '../providers.js';

/** One discovered provider: its Configuration (which caches the JWKS) and the redirect URI claimgate registered. */
export interface OidcClient {
  provider: OidcProvider;
  configuration: client.Configuration;
  redirectUri: string;
}

export function redirectUriFor(runtime: Runtime, providerId: string): string {
  return `${runtime.config.baseUrl}/sso/oidc/${encodeURIComponent(providerId)}/callback`;
}

async function discover(runtime: Runtime, provider: OidcProvider): Promise<OidcClient> {
  const auth = provider.clientSecret ? client.ClientSecretBasic(provider.clientSecret) : client.None();
  const metadata: Partial<client.ClientMetadata> = {
    // oauth4webapi accepts a list here: any other signing algorithm ("none" among them) is refused.
    id_token_signed_response_alg: provider.idTokenSigningAlgs as unknown as string,
    [client.clockTolerance]: Math.round(provider.clockTolerance / 1000),
  };
  const configuration = await client.discovery(new URL(provider.issuer), provider.clientId, metadata, auth, {
    timeout: Math.ceil(provider.timeout / 1000),
    // ID token signatures are verified against the provider's JWKS even though the token comes straight from the
    // token endpoint: TLS alone would not catch a forged token from a compromised or impersonated endpoint.
    execute: [client.enableNonRepudiationChecks, ...(provider.allowHttp ? [client.allowInsecureRequests] : [])],
  });
  configuration.timeout = Math.ceil(provider.timeout / 1000);
  const metadataOfServer = configuration.serverMetadata();
  addSsoFormTarget(runtime, metadataOfServer.authorization_endpoint);
  addSsoFormTarget(runtime, metadataOfServer.end_session_endpoint);
  return { provider, configuration, redirectUri: redirectUriFor(runtime, provider.id) };
}

/**
 * Discovery runs once per provider, on first use; a failed discovery is forgotten so the next request tries again
 * while the member sees a clear page instead of a hang.
 */
export class OidcClients {
  private readonly clients = new Map<string, Promise<OidcClient>>();

  constructor(private readonly runtime: Runtime) {}

  get(provider: OidcProvider): Promise<OidcClient> {
    let pending = this.clients.get(provider.id);
    if (!pending) {
      pending = discover(this.runtime, provider).catch((error: unknown) => {
        this.clients.delete(provider.id);
        const message = error instanceof Error ? `${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ''}` : String(error);
        throw ssoFailure('discovery_failed', `discovery of ${provider.issuer} failed: ${message}`, 'sso_unavailable');
      });
      this.clients.set(provider.id, pending);
    }
    return pending;
  }
}

const perRuntime = new WeakMap<Runtime, OidcClients>();

/** The process's clients for a runtime: the callback and sign-out share one discovery and JWKS cache. */
export function oidcClients(runtime: Runtime): OidcClients {
  let clients = perRuntime.get(runtime);
  if (!clients) perRuntime.set(runtime, (clients = new OidcClients(runtime)));
  return clients;
}
