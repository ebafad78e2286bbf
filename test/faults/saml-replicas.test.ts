import request from 'supertest';
import { createApp, type AppHandle } from '../../src/http/app.js';
import { createLogger } from '../../src/logging/logger.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { sessionCookieName } from '../../src/session/session.js';
import { invite } from '../support/claim-walk.js';
import { POSTGRES_ADMIN_URL } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import { startIdpFor, type IdpForSp, type SamlIdp } from '../support/saml-idp.js';

const BASE = 'http://claimgate.test';
const SESSION = sessionCookieName(false);
const shared = POSTGRES_ADMIN_URL ? describe : describe.skip;

// Two replicas: the harness's runtime, and a second one on the same database (and Redis, when set). The embedded mode
// is one process by design, so this runs on PostgreSQL only.
shared(`SAML across replicas${POSTGRES_ADMIN_URL ? '' : ' (skipped: needs DATABASE_URL)'}`, () => {
  let h: Harness;
  let idp: SamlIdp;
  let fixture: IdpForSp;
  let other: Runtime;
  let otherApp: AppHandle;

  beforeAll(async () => {
    fixture = await startIdpFor(BASE);
    ({ idp } = fixture);
    h = await startHarness({ sso: { providers: [{ id: 'corp', type: 'saml', domains: ['corp.example'], idpMetadataFile: fixture.metadataFile }] } });
    other = await createRuntime(h.config, { logger: createLogger('silent') });
    otherApp = createApp(other);
  });
  afterAll(async () => {
    await otherApp?.close();
    await other?.close();
    await h?.close();
    await fixture?.close();
  });

  const sessionOf = (res: { headers: Record<string, unknown> }) =>
    ((res.headers['set-cookie'] as string[] | undefined) ?? []).find((cookie) => cookie.startsWith(`${SESSION}=`))?.split(';')[0];

  it('a request made on one replica is answered at the other\'s ACS, and the claim goes on at the first', async () => {
    const member = await invite(h.runtime, `replica-${Date.now()}@corp.example`, 'Rhea');
    const login = await request(h.app).get('/sso/saml/corp/login').expect(302);
    idp.user = { nameId: member.email };
    const answer = Buffer.from(idp.answer(idp.readRequest(new URL(login.headers.location as string)).id)).toString('base64');

    const accepted = await request(otherApp.handler).post('/sso/saml/corp/acs').type('form').send({ SAMLResponse: answer }).expect(303);
    expect(accepted.headers.location).toMatch(/^\/claim\/flow\//);
    const cookie = sessionOf(accepted)!;
    expect(cookie).toBeDefined();
    await request(h.app).get(accepted.headers.location as string).set('Cookie', cookie).expect(200);

    // The same answer replayed at the first replica finds its request already used.
    const replay = await request(h.app).post('/sso/saml/corp/acs').type('form').send({ SAMLResponse: answer }).set('Accept', 'application/json');
    expect(replay.status).toBeGreaterThanOrEqual(400);
    expect(sessionOf(replay)).toBeUndefined();
  });
});
