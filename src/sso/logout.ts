import * as client from 'openid-client';
import type { Runtime } from '../runtime.js';
import { oidcClients } from './oidc/clients.js';
import { findProvider } from './providers.js';
import { samlSingleLogoutUrl } from './saml/logout.js';
import type { SsoSessionInfo } from './session-data.js';

/**
 * Where the browser goes after a local sign-out of an SSO session: the SAML IdP's single logout service with a
 * LogoutRequest, or the OIDC provider's end_session_endpoint (RP-initiated logout), when the provider offers one. Undefined when there is nothing to end at the provider, or it cannot be
 * reached: the local session is over either way.
 */
export async function singleLogoutUrl(runtime: Runtime, info: SsoSessionInfo | undefined): Promise<string | undefined> {
  if (!info) return undefined;
  if (info.protocol === 'saml') return samlSingleLogoutUrl(runtime, info);
  const provider = findProvider(runtime.config, info.providerId);
  if (!provider || provider.type !== 'oidc' || info.protocol !== 'oidc') return undefined;
  try {
    const { configuration } = await oidcClients(runtime).get(provider);
    if (!configuration.serverMetadata().end_session_endpoint) return undefined;
    return client.buildEndSessionUrl(configuration, {
      post_logout_redirect_uri: `${runtime.config.baseUrl}/login?signedOut=1`,
      client_id: provider.clientId,
      ...(info.idToken ? { id_token_hint: info.idToken } : {}),
    }).href;
  } catch {
    return undefined;
  }
}
