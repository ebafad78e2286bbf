import { deactivateMember } from '../../src/members/deactivate.js';
import { revokeInvitation } from '../../src/members/revoke.js';
import request from 'supertest';
import type { Document, Element } from '@xmldom/xmldom';
import { claimPath, newAgent, tokenFor, type Agent } from '../support/browser-agent.js';
import { acceptTerms, invite, pickGroups, submitProfile } from '../support/claim-walk.js';
import { startHarness, type Harness } from '../support/harness.js';
import { child, newId, newKeyPair, NS, readAutoPostForm, startIdpFor, type IdpForSp, type KeyPair, type ResponseOptions, type SamlIdp } from '../support/saml-idp.js';

const BASE = 'http://claimgate.test';
const ACS = `${BASE}/sso/saml/corp/acs`;
const SP_ENTITY = `${BASE}/sso/saml/corp/metadata`;

let h: Harness;
let idp: SamlIdp;
let fixture: IdpForSp;
let otherIdp: KeyPair;
/** An invited member of the SSO domain: any response that got through would start a claim (and a session). */
let victim: { id: string; email: string };

beforeAll(async () => {
  fixture = await startIdpFor(BASE);
  ({ idp } = fixture);
  const { metadataFile } = fixture;
  otherIdp = await newKeyPair('another-idp');
  h = await startHarness({
    sso: {
      providers: [
        {
          id: 'corp', type: 'saml', domains: ['corp.example'], idpMetadataFile: metadataFile,
          nameAttribute: 'displayName', attributes: { title: 'jobTitle' }, relayStateAllowlist: ['/app'],
        },
        // The same IdP read from its metadata URL, with the same SP entity id (so the IdP's audience fits both).
        { id: 'corp-url', type: 'saml', domains: [], idpMetadataUrl: `${idp.url}/metadata`, spEntityId: SP_ENTITY },
      ],
    },
  });
  victim = await invite(h.runtime, `victim-${Date.now()}@corp.example`, 'Victor');
});
afterAll(async () => {
  await h?.close();
  await fixture?.close();
});

const db = () => h.runtime.db;

async function auditByTrace(traceId: string) {
  const rows = await db().source.manager.find(db().entities.AuditEvent, { where: { traceId } });
  return rows.map((row) => ({ event: row.event, outcome: row.outcome, details: JSON.parse(row.details) as Record<string, unknown> }));
}

async function signedIn(agent: Agent): Promise<boolean> {
  return (await agent.get('/_claimgate/me')).status === 200;
}

/** SP-initiated login: claimgate's AuthnRequest, as the IdP decodes it. */
async function newRequest(agent: Agent = newAgent(h.app), provider = 'corp') {
  const login = await agent.get(`/sso/saml/${provider}/login`);
  expect(login.status).toBe(302);
  const location = new URL(login.headers.location as string);
  expect(`${location.origin}${location.pathname}`).toBe(idp.ssoUrl);
  return idp.readRequest(location);
}

/** The browser's auto-posted form: a cross-site POST, so no cookie of ours goes with it. */
function postToAcs(xml: string, relayState?: string, provider = 'corp') {
  return request(h.app).post(`/sso/saml/${provider}/acs`).type('form').set('Accept', 'application/json')
    .send({ SAMLResponse: Buffer.from(xml).toString('base64'), ...(relayState !== undefined ? { RelayState: relayState } : {}) });
}

function sessionCookie(res: { headers: Record<string, unknown> }): string | undefined {
  return (res.headers['set-cookie'] as string[] | undefined)?.find((cookie) => cookie.startsWith('claimgate.sid='))?.split(';')[0];
}

function assertionOf(document: Document): Element {
  return child(document.documentElement!, NS.saml, 'Assertion');
}

/** A copy of the signed assertion that names someone else, has its own ID and no signature. */
function evilCopy(document: Document, nameId = 'ceo@corp.example'): Element {
  const evil = assertionOf(document).cloneNode(true) as Element;
  evil.setAttribute('ID', newId());
  evil.removeChild(child(evil, NS.ds, 'Signature'));
  child(child(evil, NS.saml, 'Subject'), NS.saml, 'NameID').textContent = nameId;
  return evil;
}

describe('SAML service provider metadata', () => {
  it('publishes well-formed SP metadata with the entity id and an HTTP-POST ACS', async () => {
    const res = await request(h.app).get('/sso/saml/corp/metadata').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/samlmetadata\+xml/);
    const { DOMParser } = await import('@xmldom/xmldom');
    const document = new DOMParser({ onError: (level, message) => { throw new Error(`${level}: ${message}`); } }).parseFromString(res.text, 'text/xml');
    const root = document.documentElement!;
    expect(root.localName).toBe('EntityDescriptor');
    expect(root.getAttribute('entityID')).toBe(SP_ENTITY);
    const descriptor = child(root, 'urn:oasis:names:tc:SAML:2.0:metadata', 'SPSSODescriptor');
    expect(descriptor.getAttribute('WantAssertionsSigned')).toBe('true');
    const acs = child(descriptor, 'urn:oasis:names:tc:SAML:2.0:metadata', 'AssertionConsumerService');
    expect(acs.getAttribute('Binding')).toBe('urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST');
    expect(acs.getAttribute('Location')).toBe(ACS);
  });

  it('answers 404 for a provider that is not configured', async () => {
    await request(h.app).get('/sso/saml/nope/metadata').expect(404);
  });
});

describe('SAML sign-in (SP-initiated, HTTP-Redirect request, HTTP-POST response)', () => {
  it('starts the claim of an invited member from the IdP answer posted without any cookie, then signs the claimed member in', async () => {
    const member = await invite(h.runtime, `ivy-${Date.now()}@corp.example`, 'Ivy');
    idp.user = { nameId: member.email, attributes: { displayName: 'Ivy Example', jobTitle: 'Engineer' } };
    const browser = newAgent(h.app);
    const login = await browser.get('/sso/saml/corp/login');
    expect(login.status).toBe(302);
    const authnRequest = idp.readRequest(new URL(login.headers.location as string));
    expect(authnRequest.acsUrl).toBe(ACS);
    expect(authnRequest.issuer).toBe(SP_ENTITY);

    // A real round trip to the IdP over HTTP; its page auto-posts the response back.
    const page = await fetch(login.headers.location as string);
    const form = readAutoPostForm(await page.text());
    expect(form.action).toBe(ACS);
    const back = await request(h.app).post('/sso/saml/corp/acs').type('form').send({ SAMLResponse: form.SAMLResponse });
    expect(back.status).toBe(303);
    expect(back.headers.location).toBe('/claim/flow/terms');
    const cookie = sessionCookie(back);
    expect(cookie).toBeDefined();

    const agent = newAgent(h.app);
    agent.set('Cookie', cookie!);
    await acceptTerms(agent);
    const profile = await agent.get('/claim/flow/profile').expect(200);
    expect(profile.text).toContain('value="Engineer"');
    expect(profile.text).toContain('value="Ivy Example"');
    await submitProfile(agent, { name: 'Ivy Example', title: 'Engineer' });
    const done = await pickGroups(agent, 1);
    expect(done.headers.location).toBe('/');
    expect(await signedIn(agent)).toBe(true);
    const stored = await db().source.manager.findOneByOrFail(db().entities.Member, { id: member.id });
    expect(stored.status).toBe('claimed');
    expect(stored.passwordHash).toBeNull();
    const account = await db().source.manager.findOneByOrFail(db().entities.SsoAccount, { memberId: member.id });
    expect(account).toMatchObject({ issuer: idp.entityId, subject: member.email, providerId: 'corp' });

    // Later: a plain SAML sign-in of the claimed member, returning to an allowed RelayState.
    const again = await newRequest();
    const signIn = await postToAcs(idp.answer(again.id), '/app/reports');
    expect(signIn.status).toBe(303);
    expect(signIn.headers.location).toBe('/app/reports');
    const later = newAgent(h.app);
    later.set('Cookie', sessionCookie(signIn)!);
    expect(await signedIn(later)).toBe(true);
    const events = await db().source.manager.find(db().entities.AuditEvent, { where: { memberId: member.id, event: 'login.succeeded' } });
    expect(events.map((row) => row.method)).toEqual(['sso']);
  });

  it('sends an SSO-gated claim link to the IdP first and continues the claim of that member', async () => {
    const member = await invite(h.runtime, `gated-${Date.now()}@corp.example`, 'Gus');
    idp.user = { nameId: member.email };
    const agent = newAgent(h.app);
    const token = await tokenFor(agent, claimPath(member.claimUrl));
    const started = await agent.post(claimPath(member.claimUrl)).type('form').send({ _csrf: token }).expect(303);
    expect(started.headers.location).toBe('/sso/saml/corp/login');
    const authnRequest = await newRequest(agent);
    const back = await postToAcs(idp.answer(authnRequest.id));
    expect(back.status).toBe(303);
    expect(back.headers.location).toBe('/claim/flow/terms');
    const flow = await db().source.manager.findOneByOrFail(db().entities.ClaimFlow, { memberId: member.id });
    expect(flow.linkId).toBeTruthy();
  });

  it('refuses a claim link answered by the IdP for someone else: claim.sso_mismatch, no session', async () => {
    const member = await invite(h.runtime, `gated2-${Date.now()}@corp.example`, 'Gia');
    idp.user = { nameId: victim.email };
    const agent = newAgent(h.app);
    const token = await tokenFor(agent, claimPath(member.claimUrl));
    await agent.post(claimPath(member.claimUrl)).type('form').send({ _csrf: token }).expect(303);
    const authnRequest = await newRequest(agent);
    const back = await postToAcs(idp.answer(authnRequest.id));
    expect(back.status).toBe(403);
    expect(sessionCookie(back)).toBeUndefined();
    const rows = await auditByTrace(back.body.error.traceId);
    expect(rows).toEqual([expect.objectContaining({ event: 'claim.sso_mismatch', outcome: 'failure' })]);
  });

  it('audits a refused answer to a claim link\'s request as claim.sso_failed, and leaves the claim untouched', async () => {
    const member = await invite(h.runtime, `gated3-${Date.now()}@corp.example`, 'Gil');
    const agent = newAgent(h.app);
    const token = await tokenFor(agent, claimPath(member.claimUrl));
    await agent.post(claimPath(member.claimUrl)).type('form').send({ _csrf: token }).expect(303);
    const authnRequest = await newRequest(agent);
    const back = await postToAcs(idp.answer(authnRequest.id, { user: { nameId: member.email }, signingKey: otherIdp }));
    expect(back.status).toBe(400);
    expect(sessionCookie(back)).toBeUndefined();
    expect(await auditByTrace(back.body.error.traceId)).toEqual([
      expect.objectContaining({ event: 'claim.sso_failed', outcome: 'failure', details: expect.objectContaining({ reason: 'saml_signature_invalid' }) }),
    ]);
    expect(await db().source.manager.countBy(db().entities.ClaimFlow, { memberId: member.id })).toBe(0);
  });

  it('reads the IdP from its metadata URL', async () => {
    const member = await invite(h.runtime, `url-${Date.now()}@corp.example`, 'Uma');
    idp.user = { nameId: member.email };
    const login = await request(h.app).get('/sso/saml/corp-url/login').expect(302);
    const form = readAutoPostForm(await (await fetch(login.headers.location as string)).text());
    expect(form.action).toBe(`${BASE}/sso/saml/corp-url/acs`);
    const back = await request(h.app).post('/sso/saml/corp-url/acs').type('form').send({ SAMLResponse: form.SAMLResponse });
    expect(back.status).toBe(303);
    expect(back.headers.location).toBe('/claim/flow/terms');
  });

  it('takes a response larger than the general 32 kB form limit at the ACS (up to 256 kB), and refuses a larger one', async () => {
    const member = await invite(h.runtime, `big-${Date.now()}@corp.example`);
    const big = { nameId: member.email, attributes: { memberOf: Array.from({ length: 800 }, (_, index) => `group-${index}-${'x'.repeat(40)}`) } };
    const accepted = await postToAcs(idp.answer((await newRequest()).id, { user: big }));
    expect(Buffer.byteLength(Buffer.from(idp.answer(newId(), { user: big })).toString('base64'))).toBeGreaterThan(32 * 1024);
    expect(accepted.status).toBe(303);
    const huge = { nameId: member.email, attributes: { memberOf: Array.from({ length: 5000 }, (_, index) => `group-${index}-${'x'.repeat(40)}`) } };
    const refused = await postToAcs(idp.answer((await newRequest()).id, { user: huge }));
    expect(refused.status).toBe(413);
    expect(sessionCookie(refused)).toBeUndefined();
  });

  it('lets sign-in forms redirect to the IdP (CSP form-action names its origin)', async () => {
    const page = await request(h.app).get('/login').expect(200);
    const formAction = /form-action ([^;]+)/.exec(page.headers['content-security-policy'] as string)?.[1] ?? '';
    expect(formAction.split(' ')).toContain(idp.url);
  });

  it('accepts an assertion that is valid a few seconds from now, within the configured clock skew', async () => {
    const member = await invite(h.runtime, `skew-${Date.now()}@corp.example`);
    idp.user = { nameId: member.email };
    const authnRequest = await newRequest();
    const back = await postToAcs(idp.answer(authnRequest.id, { notBefore: 30 }));
    expect(back.status).toBe(303);
  });
});

interface Attack {
  name: string;
  /** The response (and RelayState) the attacker posts, for a request claimgate really made. */
  build(requestId: string): { xml: string; relayState?: string };
  reason: string | string[];
}

const answer = (requestId: string | null, overrides: Partial<ResponseOptions> = {}) => ({ xml: idp.answer(requestId, { user: { nameId: victim.email }, ...overrides }) });

/** One row per attack, like node-saml's signature fixtures: the name says what the fixture does. */
const ATTACKS: Attack[] = [
  { name: 'unsigned response (only the assertion signed)', build: (id) => answer(id, { signResponse: false }), reason: 'saml_signature_invalid' },
  { name: 'unsigned assertion inside a signed response', build: (id) => answer(id, { signAssertion: false }), reason: 'saml_signature_invalid' },
  { name: 'nothing signed at all', build: (id) => answer(id, { signAssertion: false, signResponse: false }), reason: 'saml_signature_invalid' },
  { name: 'NameID changed after signing', build: (id) => answer(id, { afterSigning: (xml) => xml.replace(victim.email, 'ceo@corp.example') }), reason: 'saml_signature_invalid' },
  {
    name: 'signature wrapping: signed assertion moved into Extensions, forged one in its place',
    build: (id) => answer(id, {
      beforeResponseSignature: (document) => {
        const response = document.documentElement!;
        const signed = assertionOf(document);
        const evil = evilCopy(document);
        const extensions = document.createElementNS(NS.samlp, 'samlp:Extensions');
        response.replaceChild(evil, signed);
        extensions.appendChild(signed);
        response.insertBefore(extensions, child(response, NS.samlp, 'Status'));
      },
    }),
    reason: 'saml_signature_invalid',
  },
  {
    name: 'signature wrapping: signed assertion inside the forged one\'s ds:Object',
    build: (id) => answer(id, {
      beforeResponseSignature: (document) => {
        const response = document.documentElement!;
        const signed = assertionOf(document);
        const evil = evilCopy(document);
        const signature = child(signed, NS.ds, 'Signature').cloneNode(true) as Element;
        const object = document.createElementNS(NS.ds, 'ds:Object');
        response.replaceChild(evil, signed);
        object.appendChild(signed);
        signature.appendChild(object);
        evil.insertBefore(signature, child(evil, NS.saml, 'Subject'));
      },
    }),
    reason: 'saml_signature_invalid',
  },
  {
    name: 'signature wrapping: second unsigned assertion before the signed one',
    build: (id) => answer(id, { beforeResponseSignature: (document) => { document.documentElement!.insertBefore(evilCopy(document), assertionOf(document)); } }),
    reason: 'saml_signature_invalid',
  },
  {
    name: 'signature wrapping: second unsigned assertion after the signed one',
    build: (id) => answer(id, { beforeResponseSignature: (document) => { document.documentElement!.appendChild(evilCopy(document)); } }),
    reason: 'saml_signature_invalid',
  },
  {
    name: 'signed assertion whose signature references a different ID',
    build: (id) => answer(id, {
      beforeResponseSignature: (document) => {
        const signed = assertionOf(document);
        const holder = document.createElementNS(NS.samlp, 'samlp:Extensions');
        holder.setAttribute('ID', signed.getAttribute('ID')!);
        signed.setAttribute('ID', newId());
        document.documentElement!.insertBefore(holder, child(document.documentElement!, NS.samlp, 'Status'));
      },
    }),
    reason: 'saml_signature_invalid',
  },
  { name: 'response signed by another IdP\'s key', build: (id) => answer(id, { signingKey: otherIdp }), reason: 'saml_signature_invalid' },
  { name: 'SHA-1 signature and digest', build: (id) => answer(id, { algorithm: 'sha1' }), reason: 'saml_weak_algorithm' },
  { name: 'wrong audience (another service provider)', build: (id) => answer(id, { audience: 'https://other-sp.example/metadata' }), reason: 'saml_audience_mismatch' },
  { name: 'wrong destination (another ACS)', build: (id) => answer(id, { destination: 'https://other-sp.example/acs' }), reason: 'saml_destination_mismatch' },
  { name: 'missing destination on a signed response', build: (id) => answer(id, { destination: null }), reason: 'saml_destination_mismatch' },
  { name: 'wrong recipient in the subject confirmation', build: (id) => answer(id, { recipient: 'https://other-sp.example/acs' }), reason: 'saml_recipient_mismatch' },
  { name: 'wrong issuer (another IdP\'s entity id, signed with the right key)', build: (id) => answer(id, { issuer: 'https://evil-idp.example/' }), reason: 'saml_issuer_mismatch' },
  { name: 'wrong issuer on the response only', build: (id) => answer(id, { responseIssuer: 'https://evil-idp.example/' }), reason: 'saml_issuer_mismatch' },
  { name: 'expired assertion (beyond the clock skew)', build: (id) => answer(id, { notBefore: -900, notOnOrAfter: -300 }), reason: 'saml_outside_validity_window' },
  { name: 'expired conditions with a fresh subject confirmation', build: (id) => answer(id, { notBefore: -900, notOnOrAfter: -300, confirmationNotOnOrAfter: 300 }), reason: 'saml_expired' },
  { name: 'not-yet-valid assertion (beyond the clock skew)', build: (id) => answer(id, { notBefore: 600 }), reason: 'saml_not_yet_valid' },
  { name: 'unsolicited response (no InResponseTo)', build: () => answer(null), reason: 'saml_unsolicited' },
  { name: 'unsolicited response (unknown InResponseTo)', build: () => answer(newId()), reason: 'saml_unknown_request' },
  { name: 'unsolicited response (oversized InResponseTo)', build: () => answer(`_${'a'.repeat(2000)}`), reason: 'saml_unknown_request' },
  { name: 'RelayState pointing off-site (absolute URL)', build: (id) => ({ ...answer(id), relayState: 'https://evil.example/' }), reason: 'saml_relay_state_refused' },
  { name: 'RelayState pointing off-site (protocol-relative)', build: (id) => ({ ...answer(id), relayState: '//evil.example' }), reason: 'saml_relay_state_refused' },
  { name: 'RelayState pointing off-site (backslash)', build: (id) => ({ ...answer(id), relayState: '/\\evil.example' }), reason: 'saml_relay_state_refused' },
  { name: 'RelayState outside the allowlist', build: (id) => ({ ...answer(id), relayState: '/admin' }), reason: 'saml_relay_state_refused' },
  {
    name: 'DOCTYPE with entity expansion (billion laughs)',
    build: (id) => answer(id, {
      afterSigning: (xml) => `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>${xml.replace(victim.email, '&c;')}`,
    }),
    reason: 'saml_doctype_refused',
  },
];

describe('SAML attacks: each refused with a 4xx, no session and an audit row with the trace id', () => {
  it.each(ATTACKS.map((attack) => [attack.name, attack] as const))('refuses: %s', async (_name, attack) => {
    const authnRequest = await newRequest();
    const { xml, relayState } = attack.build(authnRequest.id);
    const res = await postToAcs(xml, relayState);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(sessionCookie(res)).toBeUndefined();
    const traceId = res.body.error.traceId as string;
    expect(traceId).toMatch(/^[A-Z0-9]{10}$/);
    const rows = await auditByTrace(traceId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ event: 'login.failed', outcome: 'failure', details: { provider: 'corp', traceId } });
    expect([attack.reason].flat()).toContain(rows[0]!.details.reason);
    // The detail is redacted: never the assertion itself.
    expect(JSON.stringify(rows[0]!.details)).not.toContain('PHNhbWxw');
  });

  it.each(['deactivated', 'provisioned'] as const)('refuses a genuine answer for a %s member: no session, no claim, audited', async (state) => {
    const member = await invite(h.runtime, `${state}-${Date.now()}@corp.example`);
    if (state === 'deactivated') await deactivateMember(h.runtime, member.id, 'test');
    else await revokeInvitation(h.runtime, member.id, 'test');
    const authnRequest = await newRequest();
    const res = await postToAcs(idp.answer(authnRequest.id, { user: { nameId: member.email } }));
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(sessionCookie(res)).toBeUndefined();
    const rows = await auditByTrace(res.body.error.traceId as string);
    expect(rows).toEqual([expect.objectContaining({ event: 'login.failed', outcome: 'failure', details: expect.objectContaining({ reason: 'member_not_allowed' }) })]);
    const after = await db().source.manager.findOneBy(db().entities.Member, { id: member.id });
    expect(after!.status).toBe(state);
  });

  it('refuses a replayed response (sequential): the first signs in, the second is refused', async () => {
    const member = await invite(h.runtime, `replay-${Date.now()}@corp.example`);
    const authnRequest = await newRequest();
    const xml = idp.answer(authnRequest.id, { user: { nameId: member.email } });
    const first = await postToAcs(xml);
    expect(first.status).toBe(303);
    const second = await postToAcs(xml);
    expect(second.status).toBe(400);
    expect(sessionCookie(second)).toBeUndefined();
    const rows = await auditByTrace(second.body.error.traceId);
    expect(rows[0]).toMatchObject({ event: 'login.failed', details: { reason: 'saml_unknown_request' } });
  });

  it('refuses a replayed response (concurrent): two simultaneous POSTs give exactly one session', async () => {
    const member = await invite(h.runtime, `race-${Date.now()}@corp.example`);
    const authnRequest = await newRequest();
    const xml = idp.answer(authnRequest.id, { user: { nameId: member.email } });
    const answers = await Promise.all([postToAcs(xml), postToAcs(xml), postToAcs(xml)]);
    expect(answers.map((res) => res.status).sort()).toEqual([303, 400, 400]);
    expect(answers.filter((res) => sessionCookie(res)).length).toBe(1);
    const flows = await db().source.manager.countBy(db().entities.ClaimFlow, { memberId: member.id });
    expect(flows).toBe(1);
  });

  it('refuses a replayed assertion ID under a new, genuine request', async () => {
    const member = await invite(h.runtime, `replay-id-${Date.now()}@corp.example`);
    const assertionId = newId();
    const first = await postToAcs(idp.answer((await newRequest()).id, { user: { nameId: member.email }, assertionId }));
    expect(first.status).toBe(303);
    const second = await postToAcs(idp.answer((await newRequest()).id, { user: { nameId: member.email }, assertionId }));
    expect(second.status).toBe(400);
    expect(sessionCookie(second)).toBeUndefined();
    expect((await auditByTrace(second.body.error.traceId))[0]).toMatchObject({ details: { reason: 'saml_replay' } });
  });

  it('refuses an answer to a request made for another provider', async () => {
    const authnRequest = await newRequest(newAgent(h.app), 'corp-url');
    const res = await postToAcs(idp.answer(authnRequest.id, { user: { nameId: victim.email } }));
    expect(res.status).toBe(400);
    expect((await auditByTrace(res.body.error.traceId))[0]).toMatchObject({ details: { reason: 'saml_unknown_request' } });
  });

  it('shows a readable failure page with the trace id to a browser', async () => {
    const res = await request(h.app).post('/sso/saml/corp/acs').type('form').set('Accept', 'text/html')
      .send({ SAMLResponse: Buffer.from(idp.answer(newId(), { user: { nameId: victim.email } })).toString('base64') });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const traceId = /<code>([A-Z0-9]{10})<\/code>/.exec(res.text)?.[1];
    expect(traceId).toBeDefined();
    expect(await auditByTrace(traceId!)).toHaveLength(1);
  });

  it('never signs the victim in: the victim has no session and no claim after every attack', async () => {
    expect(await db().source.manager.countBy(db().entities.ClaimFlow, { memberId: victim.id })).toBe(0);
    expect(await db().source.manager.countBy(db().entities.SsoAccount, { memberId: victim.id })).toBe(0);
  });
});
