import type { Element } from '@xmldom/xmldom';
import { checkedCertificate, pemFromBase64 } from './certificates.js';
import { el, parseXml, selectElements, selectValues, XmlError } from './xml.js';

const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

/** What claimgate needs to know about an identity provider. */
export interface IdpDescription {
  /** The Issuer its responses must carry. */
  entityId: string;
  /** Where AuthnRequests go (HTTP-Redirect binding). */
  ssoUrl: string;
  /** Where LogoutRequests go, when the IdP offers single logout. */
  sloUrl?: string;
  /** The certificates (PEM) whose keys may sign its responses. */
  signingCerts: string[];
}

export class MetadataError extends Error {}

function location(descriptor: Element, service: string): string | undefined {
  return selectValues(`./${el(service)}[@Binding='${REDIRECT}']/@Location`, descriptor)[0]?.trim() || undefined;
}

/**
 * Reads IdP metadata (an EntityDescriptor, or an EntitiesDescriptor holding one IdP or the one named `entityId`).
 * Throws a MetadataError saying what is missing: a half-read IdP is never used.
 */
export function parseIdpMetadata(xml: string, source: string, entityId?: string): IdpDescription {
  let document;
  try {
    document = parseXml(xml);
  } catch (error) {
    throw new MetadataError(`${source}: not readable XML metadata (${(error as XmlError).message})`);
  }
  const entities = selectElements(`//${el('EntityDescriptor')}[${el('IDPSSODescriptor')}]`, document)
    .filter((entity) => !entityId || entity.getAttribute('entityID') === entityId);
  if (entities.length !== 1) {
    throw new MetadataError(`${source}: expected one identity provider${entityId ? ` with entityID "${entityId}"` : ''}, found ${entities.length}`);
  }
  const entity = entities[0]!;
  const descriptor = selectElements(`./${el('IDPSSODescriptor')}`, entity)[0]!;
  const id = entity.getAttribute('entityID')?.trim();
  if (!id) throw new MetadataError(`${source}: the EntityDescriptor has no entityID`);
  const ssoUrl = location(descriptor, 'SingleSignOnService');
  if (!ssoUrl || !/^https?:\/\//.test(ssoUrl)) throw new MetadataError(`${source}: no SingleSignOnService with the HTTP-Redirect binding`);
  const keys = selectElements(`./${el('KeyDescriptor')}[not(@use) or @use='signing']`, descriptor);
  const bodies = keys.flatMap((key) => selectValues(`.//${el('X509Certificate')}/text()`, key)).map((body) => body.trim()).filter(Boolean);
  if (!bodies.length) throw new MetadataError(`${source}: no signing certificate (KeyDescriptor use="signing")`);
  const signingCerts = bodies.map((body, index) => {
    try {
      return checkedCertificate(pemFromBase64(body), `${source} certificate ${index + 1}`);
    } catch (error) {
      throw new MetadataError((error as Error).message);
    }
  });
  const sloUrl = location(descriptor, 'SingleLogoutService');
  return { entityId: id, ssoUrl, ...(sloUrl ? { sloUrl } : {}), signingCerts };
}
