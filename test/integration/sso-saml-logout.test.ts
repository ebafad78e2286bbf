import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { newAgent, type Agent } from '../support/browser-agent.js';
import { acceptTerms, invite, pickGroups, submitProfile } from '../support/claim-walk.js';
import { startHarness, type Harness } from '../support/harness.js';
import { newId, newKeyPair, startIdpFor, type IdpForSp, type KeyPair, type SamlIdp } from '../support/saml-idp.js';
import { samlSingleLogoutUrl } from '../../src/sso/saml/logout.js';

const BASE = 'http://claimgate.test';
const SLO = `${BASE}/sso/saml/corp/slo`;

let h: Harness;
let idp: SamlIdp;
let fixture: IdpForSp;
let otherIdp: KeyPair;
let spKeys: KeyPair;

beforeAll(async () => {
  fixture = await startIdpFor(BASE);
  ({ idp } = fixture);
  const { folder, metadataFile } = fixture;
  otherIdp = await newKeyPair('another-idp');
  // claimgate signs its requests here: many IdPs insist on signed LogoutRequests.
  spKeys = await newKeyPair('claimgate-sp');
  const spSigningKeyFile = join(folder, 'sp.key');
  const spSigningCertFile = join(folder, 'sp.pem');
  writeFileSync(spSigningKeyFile, spKeys.key);
  writeFileSync(spSigningCertFile, spKeys.cert);
  h = await startHarness({ sso: { providers: [{ id: 'corp', type: 'saml', domains: ['corp.example'], idpMetadataFile: metadataFile, spSigningKeyFile, spSigningCertFile }] } });
});
afterAll(async () => {
  await h?.close();
  await fixture?.close();
});

function sessionCookie(res: { headers: Record<string, unknown> }): string {
  return (res.headers['set-cookie'] as string[]).find((cookie) => cookie.startsWith('claimgate.sid='))!.split(';')[0]!;
}

async function samlSignIn(email: string): Promise<{ cookie: string; location: string }> {
  idp.user = { nameId: email };
  const login = await request(h.app).get('/sso/saml/corp/login').expect(302);
  const authnRequest = idp.readRequest(new URL(login.headers.location as string));
  const back = await request(h.app).post('/sso/saml/corp/acs').type('form').send({ SAMLResponse: Buffer.from(idp.answer(authnRequest.id)).toString('base64') });
  expect(back.status).toBe(303);
  return { cookie: sessionCookie(back), location: back.headers.location as string };
}

/** A claimed member signed in through the IdP: the session knows the NameID and SessionIndex. */
async function signedInMember(): Promise<{ agent: Agent; email: string; memberId: string; sessionIndex: string }> {
  const member = await invite(h.runtime, `slo-${Date.now()}-${Math.random().toString(36).slice(2, 6)}@corp.example`, 'Sol');
  const claim = await samlSignIn(member.email);
  const claimer = newAgent(h.app);
  claimer.set('Cookie', claim.cookie);
  await acceptTerms(claimer);
  await submitProfile(claimer, { name: 'Sol', title: 'Ops' });
  await pickGroups(claimer, 1);
  const signIn = await samlSignIn(member.email);
  expect(signIn.location).toBe('/');
  const agent = newAgent(h.app);
  agent.set('Cookie', signIn.cookie);
  expect(await signedIn(agent)).toBe(true);
  return { agent, email: member.email, memberId: member.id, sessionIndex: idp.lastSessionIndex };
}

async function signedIn(agent: Agent): Promise<boolean> {
  return (await agent.get('/_claimgate/me')).status === 200;
}

function pathOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}

describe('SAML single logout', () => {
  it('signs AuthnRequests with the SP key and publishes its certificate', async () => {
    const login = await request(h.app).get('/sso/saml/corp/login').expect(302);
    const sent = new URL(login.headers.location as string);
    expect(sent.searchParams.get('SigAlg')).toBe('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
    const signed = sent.search.slice(1).replace(/&Signature=.*$/, '');
    const { createVerify } = await import('node:crypto');
    expect(createVerify('RSA-SHA256').update(signed).verify(spKeys.cert, sent.searchParams.get('Signature')!, 'base64')).toBe(true);
    const metadata = await request(h.app).get('/sso/saml/corp/metadata').expect(200);
    expect(metadata.text).toContain(spKeys.cert.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '').slice(0, 60));
  });

  it('announces the SLO endpoint with the HTTP-Redirect binding in the SP metadata', async () => {
    const res = await request(h.app).get('/sso/saml/corp/metadata').expect(200);
    expect(res.text).toMatch(/<SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="http:\/\/claimgate\.test\/sso\/saml\/corp\/slo"\/>/);
  });

  it('ends the session named by a signed IdP-initiated LogoutRequest and answers the IdP', async () => {
    const { agent, email, memberId, sessionIndex } = await signedInMember();
    const res = await agent.get(pathOf(idp.logoutRequestUrl(SLO, { nameId: email, sessionIndex })));
    expect(res.status).toBe(302);
    const answer = new URL(res.headers.location as string);
    expect(`${answer.origin}${answer.pathname}`).toBe(idp.sloUrl);
    expect(answer.searchParams.get('SAMLResponse')).toBeTruthy();
    expect(await signedIn(agent)).toBe(false);
    const ended = await h.runtime.db.source.manager.findBy(h.runtime.db.entities.AuditEvent, { memberId, event: 'session.ended' });
    expect(ended.map((row) => JSON.parse(row.details))).toEqual([{ reason: 'idp_logout', provider: 'corp' }]);
  });

  it('keeps the session when the LogoutRequest names someone else', async () => {
    const { agent, sessionIndex } = await signedInMember();
    const res = await agent.get(pathOf(idp.logoutRequestUrl(SLO, { nameId: 'someone.else@corp.example', sessionIndex })));
    expect(res.status).toBe(302);
    expect(await signedIn(agent)).toBe(true);
  });

  it.each([
    ['an unsigned LogoutRequest (logout CSRF)', { sign: false }, 'saml_logout_unsigned'],
    ['a LogoutRequest signed by another IdP\'s key', { signingKey: undefined as KeyPair | undefined }, 'saml_signature_invalid'],
    ['a LogoutRequest signed with RSA-SHA1', { algorithm: 'sha1' as const }, 'saml_weak_algorithm'],
    ['a LogoutRequest addressed to another SP', { destination: 'https://other-sp.example/slo' }, 'saml_destination_mismatch'],
  ])('refuses %s and keeps the session', async (_name, options, reason) => {
    const { agent, email, sessionIndex } = await signedInMember();
    const signingKey = 'signingKey' in options ? { signingKey: otherIdp } : {};
    const res = await agent.get(pathOf(idp.logoutRequestUrl(SLO, { nameId: email, sessionIndex, ...options, ...signingKey }))).set('Accept', 'application/json');
    expect(res.status).toBe(400);
    expect(await signedIn(agent)).toBe(true);
    const rows = await h.runtime.db.source.manager.findBy(h.runtime.db.entities.AuditEvent, { traceId: res.body.error.traceId });
    expect(JSON.parse(rows[0]!.details)).toMatchObject({ provider: 'corp', reason });
  });

  it('refuses a replayed LogoutRequest', async () => {
    const first = await signedInMember();
    const id = newId();
    await first.agent.get(pathOf(idp.logoutRequestUrl(SLO, { nameId: first.email, id }))).expect(302);
    const second = await signedInMember();
    const replay = await second.agent.get(pathOf(idp.logoutRequestUrl(SLO, { nameId: second.email, id }))).set('Accept', 'application/json');
    expect(replay.status).toBe(400);
    expect(await signedIn(second.agent)).toBe(true);
  });

  it('starts SP-initiated logout with a LogoutRequest for the session\'s NameID and SessionIndex, and takes the IdP\'s answer', async () => {
    const url = await samlSingleLogoutUrl(h.runtime, { providerId: 'corp', protocol: 'saml', nameId: 'ann@corp.example', sessionIndex: '_s1' });
    expect(url).toBeDefined();
    const sent = new URL(url!);
    expect(`${sent.origin}${sent.pathname}`).toBe(idp.sloUrl);
    const logoutRequest = idp.readLogoutRequest(sent);
    expect(logoutRequest).toMatchObject({ destination: idp.sloUrl, nameId: 'ann@corp.example', sessionIndex: '_s1', signed: true });
    expect(sent.searchParams.get('SigAlg')).toBe('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
    const back = await request(h.app).get(pathOf(idp.logoutResponseUrl(SLO, logoutRequest.id)));
    expect(back.status).toBe(303);
    expect(back.headers.location).toBe('/login?signedOut=1');
  });

  it('signing out of a SAML session ends it here and sends the browser to the IdP with a LogoutRequest for that session', async () => {
    const { agent, email, sessionIndex } = await signedInMember();
    const home = await agent.get('/').expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(home.text)![1]!;
    const out = await agent.post('/logout').type('form').send({ _csrf: csrf }).expect(303);
    const sent = new URL(out.headers.location as string);
    expect(`${sent.origin}${sent.pathname}`).toBe(idp.sloUrl);
    expect(idp.readLogoutRequest(sent)).toMatchObject({ nameId: email, sessionIndex, signed: true });
    expect(await signedIn(agent)).toBe(false);
  });

  it('starts no SAML logout for a session that did not come from SAML', async () => {
    expect(await samlSingleLogoutUrl(h.runtime, { providerId: 'corp', protocol: 'oidc' })).toBeUndefined();
    expect(await samlSingleLogoutUrl(h.runtime, undefined)).toBeUndefined();
  });
});
