import request from 'supertest';
import { newAgent, csrfFrom, type Agent } from '../support/browser-agent.js';
import { acceptTerms, invite, pickGroups, submitProfile } from '../support/claim-walk.js';
import { startHarness, type Harness } from '../support/harness.js';
import { OP_CLIENT_ID, OP_CLIENT_SECRET, opBrowser, startTestOp, type TestOp } from '../support/oidc-op.js';
import { startIdpFor, type IdpForSp } from '../support/saml-idp.js';
import { assignedGroupNames, assignGroups, assignmentsOf } from '../../src/groups/assigned.js';
import { chosenGroupNames } from '../../src/groups/groups.js';

const BASE = 'http://claimgate.test';
let h: Harness;
let saml: IdpForSp;
let op: TestOp;

beforeAll(async () => {
  saml = await startIdpFor(BASE);
  op = await startTestOp([`${BASE}/sso/oidc/staff/callback`], [`${BASE}/login?signedOut=1`]);
  h = await startHarness({
    sso: {
      providers: [
        { id: 'corp', type: 'saml', domains: ['corp.example'], idpMetadataFile: saml.metadataFile, groupsAttribute: 'memberOf' },
        { id: 'staff', type: 'oidc', domains: ['staff.example'], issuer: op.issuer, clientId: OP_CLIENT_ID, clientSecret: OP_CLIENT_SECRET, allowHttp: true, groupsClaim: 'groups' },
      ],
    },
  });
});
afterAll(async () => {
  await h?.close();
  await saml?.close();
  await op?.close();
});

function sessionCookie(res: { headers: Record<string, unknown> }): string {
  return (res.headers['set-cookie'] as string[]).find((cookie) => cookie.startsWith('claimgate.sid='))!.split(';')[0]!;
}

async function samlSignIn(email: string, memberOf: string[]): Promise<Agent> {
  saml.idp.user = { nameId: email, attributes: { memberOf } };
  const login = await request(h.app).get('/sso/saml/corp/login').expect(302);
  const authnRequest = saml.idp.readRequest(new URL(login.headers.location as string));
  const back = await request(h.app).post('/sso/saml/corp/acs').type('form').send({ SAMLResponse: Buffer.from(saml.idp.answer(authnRequest.id)).toString('base64') });
  expect(back.status).toBe(303);
  const agent = newAgent(h.app);
  agent.set('Cookie', sessionCookie(back));
  return agent;
}

async function oidcSignIn(login: string): Promise<Agent> {
  const agent = newAgent(h.app);
  const page = await agent.get('/login').expect(200);
  await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), stage: 'identify', identifier: login }).expect(303);
  const start = await agent.get('/sso/oidc/staff/login').expect(302);
  const back = await opBrowser(op).signIn(start.headers.location as string, login);
  expect((await agent.get(`${back.pathname}${back.search}`)).status).toBe(303);
  return agent;
}

describe('groups assigned by the identity provider', () => {
  // Attack: stale privileges: a group the IdP no longer states must not outlive the next sign-in; an admin's grant stays.
  it('takes the SAML attribute at the claim and replaces it at every sign-in, leaving other sources alone', async () => {
    const member = await invite(h.runtime, 'dana@corp.example', 'Dana');
    const claimer = await samlSignIn(member.email, ['App-Finance', 'Staff']);
    await acceptTerms(claimer);
    await submitProfile(claimer, { name: 'Dana' });
    await pickGroups(claimer, 1);
    expect(await assignedGroupNames(h.runtime.db, member.id)).toEqual(['App-Finance', 'Staff']);
    await h.runtime.db.transaction((manager) => assignGroups(h.runtime, manager, member.id, ['Ops'], 'admin', null));

    const later = await samlSignIn(member.email, ['Staff']);
    expect(await assignmentsOf(h.runtime.db, member.id)).toEqual([{ name: 'Ops', sources: ['admin'] }, { name: 'Staff', sources: ['sso:corp'] }]);
    h.runtime.identities.forget(member.id);
    const verify = await later.get('/auth/verify').expect(202);
    expect(verify.headers['x-claimgate-groups']).toBe('Ops,Staff');
    expect(verify.headers['x-claimgate-chosen-groups']).toBe('Announcements');
    const audit = await h.runtime.db.source.manager.findBy(h.runtime.db.entities.AuditEvent, { memberId: member.id, event: 'member.groups_assigned' });
    expect(audit.map((row) => JSON.parse(row.details!))).toEqual([
      { source: 'sso:corp', added: ['App-Finance', 'Staff'], removed: [] },
      { source: 'admin', added: ['Ops'], removed: [] },
      { source: 'sso:corp', added: [], removed: ['App-Finance'] },
    ]);
  });

  // Attack: a member turning an IdP-stated group into one members could pick: groups made by the IdP are not selectable.
  it('takes the OIDC claim from the signed ID token, as assigned and never selectable', async () => {
    const member = await invite(h.runtime, 'carol@staff.example', 'Carol');
    op.accounts.set('carol@staff.example', { email: 'carol@staff.example', email_verified: true, name: 'Carol', groups: ['Wiki editors', 'Engineering'] });
    const claimer = await oidcSignIn('carol@staff.example');
    await acceptTerms(claimer);
    await submitProfile(claimer, { name: 'Carol' });
    await pickGroups(claimer, 1);
    expect(await assignedGroupNames(h.runtime.db, member.id)).toEqual(['Engineering', 'Wiki editors']);
    expect(await chosenGroupNames(h.runtime.db, member.id)).toEqual(['Announcements']);
    const wiki = await h.runtime.db.source.manager.findOneByOrFail(h.runtime.db.entities.Group, { nameNormalized: 'wiki editors' });
    expect(wiki.selectable).toBe(false);
    // A pool group keeps being selectable even when an IdP assigns it too.
    const engineering = await h.runtime.db.source.manager.findOneByOrFail(h.runtime.db.entities.Group, { nameNormalized: 'engineering' });
    expect(engineering.selectable).toBe(true);

    op.accounts.set('carol@staff.example', { email: 'carol@staff.example', email_verified: true, name: 'Carol' });
    await oidcSignIn('carol@staff.example');
    expect(await assignedGroupNames(h.runtime.db, member.id)).toEqual([]);
  });
});
