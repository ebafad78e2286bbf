/**
 * SAML never needs a document type: a DOCTYPE or ENTITY declaration is how entity expansion ("billion laughs") and
 * external entity attacks begin, so such a document is refused before any parser sees it.
 */
export function hasDoctype(xml: string): boolean {
  return /<!\s*(DOCTYPE|ENTITY)/i.test(xml);
}
