import request from 'supertest';
import { sessionCookieName } from '../../src/session/session.js';
import { invite } from '../support/claim-walk.js';
import { startHarness, type Harness } from '../support/harness.js';
import { startIdpFor, type IdpForSp, type SamlIdp } from '../support/saml-idp.js';

// On https the SAML answer must come back through the browser that started the sign-in.
const BASE = 'https://claimgate.test';
const BINDING = '__Host-claimgate-saml';
const SESSION = sessionCookieName(true);

let h: Harness;
let idp: SamlIdp;
let fixture: IdpForSp;

beforeAll(async () => {
  fixture = await startIdpFor(BASE);
  ({ idp } = fixture);
  h = await startHarness({ baseUrl: BASE, trustProxy: true, sso: { providers: [{ id: 'corp', type: 'saml', domains: ['corp.example'], idpMetadataFile: fixture.metadataFile }] } });
});
afterAll(async () => {
  await h?.close();
  await fixture?.close();
});

const https = { 'X-Forwarded-Proto': 'https' };

function cookieValue(res: { headers: Record<string, unknown> }, name: string): string | undefined {
  const cookie = ((res.headers['set-cookie'] as string[] | undefined) ?? []).find((line) => line.startsWith(`${name}=`));
  return cookie?.split(';')[0];
}

/** The refusal's reason, read from the audit row that carries the trace id the answer showed. */
async function reasonOf(posted: { body: { error?: { traceId?: string } } }): Promise<unknown> {
  const traceId = posted.body.error?.traceId;
  expect(traceId).toMatch(/^[A-Z0-9]{10}$/);
  const rows = await h.runtime.db.source.manager.findBy(h.runtime.db.entities.AuditEvent, { traceId });
  expect(rows).toHaveLength(1);
  return JSON.parse(rows[0]!.details).reason;
}

/** The attacker starts a sign-in in their own browser and gets the IdP's signed answer for their own account. */
async function attackersAnswer(email: string) {
  const login = await request(h.app).get('/sso/saml/corp/login').set(https).expect(302);
  const binding = cookieValue(login, BINDING);
  idp.user = { nameId: email };
  const authnRequest = idp.readRequest(new URL(login.headers.location as string));
  return { binding, SAMLResponse: Buffer.from(idp.answer(authnRequest.id)).toString('base64') };
}

describe('SAML login CSRF', () => {
  it('sets a Secure, SameSite=None, HttpOnly binding cookie when the sign-in starts', async () => {
    const login = await request(h.app).get('/sso/saml/corp/login').set(https).expect(302);
    const line = ((login.headers['set-cookie'] as unknown as string[]) ?? []).find((cookie) => cookie.startsWith(`${BINDING}=`))!;
    expect(line).toMatch(/; Secure/);
    expect(line).toMatch(/; HttpOnly/);
    expect(line).toMatch(/; SameSite=None/);
  });

  it('stops login CSRF: the attacker\'s own answer posted through the victim\'s browser signs nobody in, and is audited', async () => {
    const attacker = await invite(h.runtime, `attacker-${Date.now()}@corp.example`, 'Mallory');
    const { SAMLResponse } = await attackersAnswer(attacker.email);
    // The victim's browser carries no binding cookie for the attacker's request.
    const posted = await request(h.app).post('/sso/saml/corp/acs').set(https).set('Accept', 'application/json').type('form').send({ SAMLResponse });
    expect(posted.status).toBeGreaterThanOrEqual(400);
    expect(posted.status).toBeLessThan(500);
    expect(cookieValue(posted, SESSION)).toBeUndefined();
    expect(await reasonOf(posted)).toBe('saml_browser_mismatch');
    const member = await h.runtime.db.source.manager.findOneBy(h.runtime.db.entities.Member, { id: attacker.id });
    expect(member!.status).toBe('invited');
  });

  it('stops a forged binding: a cookie the victim\'s browser was never given does not match', async () => {
    const attacker = await invite(h.runtime, `forger-${Date.now()}@corp.example`, 'Forger');
    const { SAMLResponse } = await attackersAnswer(attacker.email);
    const posted = await request(h.app).post('/sso/saml/corp/acs').set(https).set('Accept', 'application/json')
      .set('Cookie', `${BINDING}=made-up-value`).type('form').send({ SAMLResponse });
    expect(posted.status).toBeGreaterThanOrEqual(400);
    expect(cookieValue(posted, SESSION)).toBeUndefined();
    expect(await reasonOf(posted)).toBe('saml_browser_mismatch');
  });

  it('accepts the answer when it comes back through the browser that started the sign-in', async () => {
    const member = await invite(h.runtime, `rightful-${Date.now()}@corp.example`, 'Rita');
    const { binding, SAMLResponse } = await attackersAnswer(member.email);
    const posted = await request(h.app).post('/sso/saml/corp/acs').set(https).set('Cookie', binding!).type('form').send({ SAMLResponse }).expect(303);
    expect(posted.headers.location).toMatch(/^\/claim\/flow\//);
    expect(cookieValue(posted, SESSION)).toBeDefined();
  });
});
