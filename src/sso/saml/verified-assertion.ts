import type { Element } from '@xmldom/xmldom';
import { ssoFailure } from '../failure.js';
import { el, parseXml, selectElements, selectValues } from './xml.js';

const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

/** The facts of the assertion whose signature node-saml verified, read from the signed bytes only. */
export interface VerifiedAssertion {
  id: string;
  issuers: string[];
  nameId: string;
  nameIdFormat?: string;
  sessionIndex?: string;
  audiences: string[][];
  /** Recipient, InResponseTo and NotOnOrAfter of each bearer SubjectConfirmationData. */
  confirmations: Array<{ recipient: string | null; inResponseTo: string | null; notOnOrAfter: string | null }>;
  /** The latest instant after which nothing in the assertion is valid any more. */
  notOnOrAfter: Date | null;
  attributes: Record<string, string[]>;
}

function single(values: string[]): string | null {
  return values.length === 1 ? values[0]!.trim() : null;
}

export function readVerifiedAssertion(xml: string): VerifiedAssertion {
  const document = parseXml(xml);
  const assertion = document.documentElement as unknown as Element;
  if (assertion.localName !== 'Assertion') throw ssoFailure('saml_response_invalid', 'the signed element is not an Assertion');
  const id = assertion.getAttribute('ID');
  const nameId = single(selectValues(`./${el('Subject')}/${el('NameID')}/text()`, assertion));
  if (!id || !nameId) throw ssoFailure('saml_response_invalid', 'the assertion has no ID or no NameID');
  const confirmations = selectElements(`./${el('Subject')}/${el('SubjectConfirmation')}[@Method='${BEARER}']/${el('SubjectConfirmationData')}`, assertion).map((data) => ({
    recipient: data.getAttribute('Recipient'),
    inResponseTo: data.getAttribute('InResponseTo'),
    notOnOrAfter: data.getAttribute('NotOnOrAfter'),
  }));
  const limits = [
    ...selectValues(`./${el('Conditions')}/@NotOnOrAfter`, assertion),
    ...confirmations.map((confirmation) => confirmation.notOnOrAfter ?? ''),
  ].map((value) => Date.parse(value)).filter((time) => Number.isFinite(time));
  const attributes: Record<string, string[]> = {};
  for (const attribute of selectElements(`./${el('AttributeStatement')}/${el('Attribute')}`, assertion)) {
    const name = attribute.getAttribute('Name');
    if (name) attributes[name] = selectValues(`./${el('AttributeValue')}/text()`, attribute).map((value) => value.trim());
  }
  const sessionIndex = selectValues(`./${el('AuthnStatement')}/@SessionIndex`, assertion)[0];
  const nameIdFormat = selectValues(`./${el('Subject')}/${el('NameID')}/@Format`, assertion)[0];
  return {
    id,
    issuers: selectValues(`./${el('Issuer')}/text()`, assertion).map((value) => value.trim()),
    nameId,
    ...(nameIdFormat ? { nameIdFormat } : {}),
    ...(sessionIndex ? { sessionIndex } : {}),
    audiences: selectElements(`./${el('Conditions')}/${el('AudienceRestriction')}`, assertion).map((restriction) =>
      selectValues(`./${el('Audience')}/text()`, restriction).map((value) => value.trim())),
    confirmations,
    notOnOrAfter: limits.length ? new Date(Math.max(...limits)) : null,
    attributes,
  };
}
