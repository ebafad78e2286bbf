import request from 'supertest';
import { csrfFrom, newAgent } from '../support/browser-agent.js';
import { claimAll, GOOD_PASSWORD, invite } from '../support/claim-walk.js';
import { REDIS_URL } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import { eventually, startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { startUpstream } from '../support/upstream.js';

// Sessions and rate limits live in Redis only in the production mode; without REDIS_URL there is nothing to cut.
const withRedis = REDIS_URL ? describe : describe.skip;

withRedis(`Redis connection lost${REDIS_URL ? '' : ' (skipped: REDIS_URL is not set)'}`, () => {
  let proxy: TcpProxy;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let h: Harness;
  let cookie: string;
  let email: string;

  beforeAll(async () => {
    proxy = await startTcpProxy(REDIS_URL!);
    upstream = await startUpstream();
    h = await startHarness({ redis: { url: proxy.urlFor(REDIS_URL!) }, upstream: { url: upstream.url, landingPath: '/app' } });
    const invited = await invite(h.runtime);
    email = invited.email;
    const agent = newAgent(h.app);
    const done = await claimAll(agent, invited.claimUrl);
    cookie = (done.headers['set-cookie'] as unknown as string[])[0]!.split(';')[0]!;
  });
  afterAll(async () => {
    await proxy.restore().catch(() => undefined);
    await eventually(async () => (await request(h.app).get('/readyz')).status === 200);
    await h.close();
    await upstream.close();
    await proxy.close();
  });

  it('fails closed: no request passes the gateway or forward auth, sign-in answers 503 with a page, /readyz says 503; then recovers by itself', async () => {
    await request(h.app).get('/app/ok').set('Cookie', cookie).expect(200);
    await request(h.app).get('/auth/verify').set('Cookie', cookie).expect(202);
    const loginPage = await newAgent(h.app).get('/login').expect(200);
    const loginCookie = (loginPage.headers['set-cookie'] as unknown as string[])[0]!.split(';')[0]!;
    const loginToken = csrfFrom(loginPage.text);

    await proxy.cut();
    const readiness = await request(h.app).get('/readyz');
    expect(readiness.status).toBe(503);
    expect(readiness.body.checks.sessionStore).toBe('failing');

    const page = await request(h.app).get('/app/ok').set('Cookie', cookie).set('Accept', 'text/html');
    expect(page.status).toBe(503);
    expect(page.text).toContain('service_unavailable');
    expect(page.text).toContain('temporarily unavailable');
    const api = await request(h.app).get('/app/api').set('Cookie', cookie).set('Accept', 'application/json');
    expect(api.status).toBe(503);
    expect(api.body.error.code).toBe('service_unavailable');
    expect(page.headers['retry-after']).toBe('5');
    const verify = await request(h.app).get('/auth/verify').set('Cookie', cookie).expect(503);
    expect(verify.headers['retry-after']).toBe('5');
    // Without a session cookie nobody is let through either: anonymous stays anonymous.
    await request(h.app).get('/app/ok').set('Accept', 'application/json').expect(401);
    const signIn = await request(h.app).post('/login').set('Cookie', loginCookie).type('form')
      .send({ _csrf: loginToken, identifier: email, password: GOOD_PASSWORD });
    expect(signIn.status).toBe(503);
    expect(signIn.headers['retry-after']).toBeDefined();
    expect(signIn.text).toContain('service_unavailable');
    expect(upstream.seen.filter((seen) => seen.url === '/app/ok' || seen.url === '/app/api')).toHaveLength(1);

    await proxy.restore();
    expect(await eventually(async () => (await request(h.app).get('/readyz')).status === 200)).toBe(true);
    await request(h.app).get('/app/ok').set('Cookie', cookie).expect(200);
    await request(h.app).get('/auth/verify').set('Cookie', cookie).expect(202);
    const again = newAgent(h.app);
    const token = csrfFrom((await again.get('/login').expect(200)).text);
    await again.post('/login').type('form').send({ _csrf: token, identifier: email, password: GOOD_PASSWORD }).expect(303);
  });

  it('survives Redis dropping every connection while requests keep coming', async () => {
    const hits = async () => (await request(h.app).get('/auth/verify').set('Cookie', cookie)).status;
    for (let round = 0; round < 3; round++) {
      await proxy.cut();
      expect(await hits()).toBe(503);
      await proxy.restore();
      expect(await eventually(async () => (await hits()) === 202)).toBe(true);
    }
  });
});
