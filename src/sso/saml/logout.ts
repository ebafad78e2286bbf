import { SAML, type Profile } from '@node-saml/node-saml';
import type { Runtime } from '../../runtime.js';
import { findProvider } from '../providers.js';
import type { SsoSessionInfo } from '../session-data.js';
import { RequestCache } from './request-cache.js';
import { samlService } from './service.js';
import { REQUEST_TTL_MS, samlOptions } from './strategy.js';

const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
const UNSPECIFIED_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';

/**
 * SP-initiated single logout: the IdP's SingleLogoutService URL carrying a LogoutRequest for the session's NameID
 * and SessionIndex (signed when an SP signing key is configured). Undefined when the session did not come from a
 * SAML provider, the IdP offers no single logout, or it cannot be reached: the local session ends either way.
 */
export async function samlSingleLogoutUrl(runtime: Runtime, info: SsoSessionInfo | undefined): Promise<string | undefined> {
  if (!info || info.protocol !== 'saml' || !info.nameId) return undefined;
  const provider = findProvider(runtime.config, info.providerId);
  if (!provider || provider.type !== 'saml') return undefined;
  const service = samlService(runtime);
  try {
    const idp = await service.idps.get(provider);
    if (!idp.sloUrl) return undefined;
    const saml = new SAML(samlOptions(provider, idp, service.sps.get(provider.id)!, new RequestCache(service.store, provider.id, REQUEST_TTL_MS)));
    const subject = {
      issuer: idp.entityId,
      nameID: info.nameId,
      nameIDFormat: info.nameIdFormat ?? (info.nameId.includes('@') ? EMAIL_FORMAT : UNSPECIFIED_FORMAT),
      ...(info.sessionIndex ? { sessionIndex: info.sessionIndex } : {}),
    } as Profile;
    return await saml.getLogoutUrlAsync(subject, '', {});
  } catch (error) {
    runtime.logger.warn({ provider: provider.id, err: { message: (error as Error).message } }, 'SAML single logout not started');
    return undefined;
  }
}
