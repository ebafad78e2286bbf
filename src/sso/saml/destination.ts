import type { Document, Element } from '@xmldom/xmldom';
import { ssoFailure } from '../failure.js';

/**
 * A signed Response must say where it was sent (SAML bindings 3.5.5.2): a response meant for another service
 * provider's ACS, replayed here, is refused. The Response's signature (always required) covers the attribute.
 */
export function checkDestination(response: Document, acsUrl: string): void {
  const destination = (response.documentElement as unknown as Element).getAttribute('Destination');
  if (destination !== acsUrl) throw ssoFailure('saml_destination_mismatch', `Destination ${destination ?? '(none)'} is not this ACS`);
}
