import request from 'supertest';
import { newAgent } from '../support/browser-agent.js';
import { acceptTerms, GOOD_PASSWORD, invite, pickGroups, setPassword, startClaim, submitProfile } from '../support/claim-walk.js';
import { createTestDatabase, POSTGRES_ADMIN_URL, type TestDatabase } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import { eventually, startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { csrfFrom } from '../support/browser-agent.js';

const withPostgres = POSTGRES_ADMIN_URL ? describe : describe.skip;

withPostgres(`PostgreSQL connection lost${POSTGRES_ADMIN_URL ? '' : ' (skipped: DATABASE_URL is not set)'}`, () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let h: Harness;

  beforeAll(async () => {
    database = await createTestDatabase();
    proxy = await startTcpProxy(database.url!);
    h = await startHarness({ database: { url: proxy.urlFor(database.url!) } });
  });
  afterAll(async () => {
    await proxy.restore().catch(() => undefined);
    await h.close();
    await proxy.close();
    await database.drop();
  });

  it('answers 503 while the database is unreachable, and resumes the same claim once it is back, without a restart', async () => {
    const invited = await invite(h.runtime);
    const agent = newAgent(h.app);
    await startClaim(agent, invited.claimUrl);
    await acceptTerms(agent);
    await agent.get('/claim/flow/profile').expect(200);

    await proxy.cut();
    expect((await request(h.app).get('/readyz')).status).toBe(503);
    const page = await agent.get('/claim/flow/profile').set('Accept', 'text/html');
    expect(page.status).toBe(503);
    expect(page.text).toContain('service_unavailable');
    const json = await request(h.app).get(new URL(invited.claimUrl).pathname).set('Accept', 'application/json');
    expect(json.status).toBe(503);
    expect(json.body.error.code).toBe('service_unavailable');

    await proxy.restore();
    expect(await eventually(async () => (await request(h.app).get('/readyz')).status === 200)).toBe(true);
    // The claim continues where it stopped: nothing of the finished step was lost.
    await agent.get('/claim/flow').expect(303).expect('location', '/claim/flow/profile');
    await submitProfile(agent);
    await setPassword(agent);
    await pickGroups(agent, 1);
    const { db } = h.runtime;
    expect((await db.source.manager.findOneByOrFail(db.entities.Member, { id: invited.id })).status).toBe('claimed');
    const signIn = newAgent(h.app);
    const token = csrfFrom((await signIn.get('/login')).text);
    await signIn.post('/login').type('form').send({ _csrf: token, identifier: invited.email, password: GOOD_PASSWORD }).expect(303);
  });

  it('survives the database dropping every connection three times in a row', async () => {
    for (let round = 0; round < 3; round++) {
      await proxy.cut();
      expect((await request(h.app).get('/readyz')).status).toBe(503);
      await proxy.restore();
      expect(await eventually(async () => (await request(h.app).get('/readyz')).status === 200)).toBe(true);
    }
    await newAgent(h.app).get('/login').expect(200);
  });
});
