import { XMLSerializer, type Element } from '@xmldom/xmldom';
import { el, parseXml, selectElements } from './xml.js';

const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

/** node-saml announces the SingleLogoutService with the HTTP-POST binding; claimgate's /slo speaks HTTP-Redirect. */
export function withRedirectLogout(metadata: string): string {
  const document = parseXml(metadata);
  for (const service of selectElements(`//${el('SingleLogoutService')}`, document)) (service as Element).setAttribute('Binding', REDIRECT);
  return new XMLSerializer().serializeToString(document);
}
