import { checkAudience } from '../../src/sso/saml/audience.js';
import { allowedRelayState } from '../../src/sso/saml/relay-state.js';
import { hasDoctype } from '../../src/sso/saml/reject-doctype.js';
import { readVerifiedAssertion } from '../../src/sso/saml/verified-assertion.js';

const SP = 'http://claimgate.test/sso/saml/corp/metadata';

function assertion(conditions: string): string {
  return `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a1" Version="2.0" IssueInstant="2026-01-01T00:00:00Z">`
    + '<saml:Issuer>https://idp.example/</saml:Issuer>'
    + '<saml:Subject><saml:NameID>ann@corp.example</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">'
    + '<saml:SubjectConfirmationData Recipient="http://claimgate.test/sso/saml/corp/acs" InResponseTo="_r1" NotOnOrAfter="2026-01-01T00:05:00Z"/></saml:SubjectConfirmation></saml:Subject>'
    + `<saml:Conditions NotOnOrAfter="2026-01-01T00:10:00Z">${conditions}</saml:Conditions></saml:Assertion>`;
}

describe('SAML checks', () => {
  // Attack: an assertion issued for another service provider (or for anyone) replayed here.
  it('refuses an assertion with no AudienceRestriction, or one restriction that does not name this SP', () => {
    expect(() => checkAudience(readVerifiedAssertion(assertion('')), SP)).toThrow(/audience/);
    const two = `<saml:AudienceRestriction><saml:Audience>${SP}</saml:Audience></saml:AudienceRestriction><saml:AudienceRestriction><saml:Audience>https://other.example</saml:Audience></saml:AudienceRestriction>`;
    expect(() => checkAudience(readVerifiedAssertion(assertion(two)), SP)).toThrow(/audience/);
    const ok = `<saml:AudienceRestriction><saml:Audience>https://other.example</saml:Audience><saml:Audience>${SP}</saml:Audience></saml:AudienceRestriction>`;
    expect(() => checkAudience(readVerifiedAssertion(assertion(ok)), SP)).not.toThrow();
  });

  it('remembers an assertion ID until the latest NotOnOrAfter it carries', () => {
    expect(readVerifiedAssertion(assertion('')).notOnOrAfter?.toISOString()).toBe('2026-01-01T00:10:00.000Z');
  });

  // Attack: open redirect through the unsigned RelayState.
  it.each(['https://evil.example/', '//evil.example', '/\\evil.example', '/%2F%2Fevil.example', '/application', '/admin', 'app', '/app/../admin'])(
    'refuses the RelayState %s with the allowlist [/app]',
    (value) => expect(() => allowedRelayState(value, ['/app'])).toThrow(/RelayState/),
  );

  it('accepts a RelayState under an allowed prefix, and no RelayState at all', () => {
    expect(allowedRelayState('/app', ['/app'])).toBe('/app');
    expect(allowedRelayState('/app/reports?x=1', ['/app'])).toBe('/app/reports?x=1');
    expect(allowedRelayState(undefined, ['/app'])).toBeUndefined();
    expect(allowedRelayState('/anything', ['/'])).toBe('/anything');
  });

  // Attack: entity expansion and external entities.
  it('spots DOCTYPE and ENTITY declarations however they are spaced or cased', () => {
    expect(hasDoctype('<?xml version="1.0"?><!doctype x><x/>')).toBe(true);
    expect(hasDoctype('<!  ENTITY a "b">')).toBe(true);
    expect(hasDoctype('<samlp:Response/>')).toBe(false);
  });
});
