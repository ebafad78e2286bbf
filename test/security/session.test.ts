import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GOOD_PASSWORD, invite } from '../support/claim-walk.js';
import { startHarness, type Harness } from '../support/harness.js';
import { claimAcross, HttpBrowser } from '../support/http-browser.js';

// An https deployment behind a TLS proxy: the proxy's X-Forwarded-Proto is sent with every request.
const TLS = { 'X-Forwarded-Proto': 'https' };
let h: Harness;
let server: Server;
let base: string;
let email: string;

beforeAll(async () => {
  h = await startHarness({ baseUrl: 'https://claimgate.test', trustProxy: true });
  server = createServer(h.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const invited = await invite(h.runtime);
  email = invited.email;
  await claimAcross(new HttpBrowser(TLS), [base], new URL(invited.claimUrl).pathname, GOOD_PASSWORD);
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await h.close();
});

async function signIn(browser = new HttpBrowser(TLS)) {
  const res = await browser.submit(base, '/login', { identifier: email, password: GOOD_PASSWORD });
  expect(res.status).toBe(303);
  return { browser, res, cookie: browser.cookieHeader() };
}
const verify = async (cookie: string) => (await fetch(`${base}/auth/verify`, { headers: { ...TLS, Cookie: cookie } })).status;

describe('sessions on https', () => {
  // Attack: a sibling subdomain or a plain-http page setting or reading the session cookie (cookie tossing).
  it('cookie tossing: the session cookie is __Host-, Secure, HttpOnly, SameSite=Lax, Path=/ and has no Domain', async () => {
    const { res } = await signIn();
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('__Host-claimgate='))!;
    const attributes = cookie.split(';').map((part) => part.trim().toLowerCase());
    expect(attributes).toEqual(expect.arrayContaining(['secure', 'httponly', 'samesite=lax', 'path=/']));
    expect(attributes.some((attribute) => attribute.startsWith('domain='))).toBe(false);
  });

  // Attack: session fixation (an id planted before sign-in stays valid after it).
  it('session fixation: sign-in issues a new session id and the planted one stays anonymous', async () => {
    const browser = new HttpBrowser(TLS);
    await browser.request(base, '/login');
    const planted = browser.cookieHeader();
    expect(planted).toMatch(/^__Host-claimgate=/);
    const { cookie } = await signIn(browser);
    expect(cookie).not.toBe(planted);
    expect(await verify(planted)).toBe(401);
    expect(await verify(cookie)).toBe(202);
  });

  // Attack: replaying a stolen cookie after the member signed out.
  it('stolen cookie: after sign-out the old cookie is worthless on pages and on forward auth', async () => {
    const { browser, cookie } = await signIn();
    expect(await verify(cookie)).toBe(202);
    expect((await browser.submit(base, '/logout', {}, '/')).status).toBe(303);
    expect(await verify(cookie)).toBe(401);
    const page = await fetch(`${base}/`, { headers: { ...TLS, Cookie: cookie }, redirect: 'manual' });
    expect(page.status).toBe(303);
  });

  // Attack: forging a cookie value (a guessed or re-signed session id).
  it('cookie forgery: a session id with a wrong signature, or none, is anonymous', async () => {
    const { cookie } = await signIn();
    const [name, value] = cookie.split('=') as [string, string];
    const decoded = decodeURIComponent(value);
    expect(await verify(`${name}=${encodeURIComponent(`${decoded.slice(0, -3)}abc`)}`)).toBe(401);
    expect(await verify(`${name}=${encodeURIComponent(decoded.replace(/^s:/, '').split('.')[0]!)}`)).toBe(401);
  });

  // Attack: riding a session left signed in on a shared computer.
  it('abandoned session: past the idle timeout forward auth answers 401 with a request id, and the session ends on the record', async () => {
    const { cookie } = await signIn();
    expect(await verify(cookie)).toBe(202);
    const endedBefore = await h.runtime.db.source.manager.countBy(h.runtime.db.entities.AuditEvent, { event: 'session.ended' });
    h.advance(h.config.session.idleTimeout + 60_000);
    const refused = await fetch(`${base}/auth/verify`, { headers: { ...TLS, Cookie: cookie } });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ error: { code: 'not_signed_in', message: expect.any(String), requestId: refused.headers.get('x-request-id') } });
    const ended = await h.runtime.db.source.manager.find(h.runtime.db.entities.AuditEvent, { where: { event: 'session.ended' }, order: { id: 'ASC' } });
    expect(ended.slice(endedBefore).map((row) => JSON.parse(row.details).reason)).toContain('idle_timeout');
    // Coming back later does not revive it.
    expect(await verify(cookie)).toBe(401);
  });

  // Attack: keeping a session alive forever with a stolen cookie.
  it('session hijack window: the absolute timeout ends a session however active it is', async () => {
    const { cookie } = await signIn();
    for (let hour = 0; hour < 7 * 24 + 2; hour += 4) {
      h.advance(4 * 3600 * 1000);
      if (hour < 7 * 24 - 4) expect(await verify(cookie)).toBe(202);
    }
    expect(await verify(cookie)).toBe(401);
  });
});
