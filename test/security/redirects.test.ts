import request from 'supertest';
import { safeReturnPath } from '../../src/http/return-to.js';
import { csrfFrom, newAgent } from '../support/browser-agent.js';
import { claimAll, GOOD_PASSWORD, invite } from '../support/claim-walk.js';
import { startHarness, type Harness } from '../support/harness.js';

const HOSTILE = [
  'https://evil.example/', '//evil.example', '///evil.example', '/\\evil.example', '\\\\evil.example', '/%2F%2Fevil.example',
  '/%5Cevil.example', '%2F%2Fevil.example', 'javascript:alert(1)', ' /ok', '\t//evil.example', '/ok\r\nLocation: https://evil.example',
  '/%0d%0aSet-Cookie:x=1', 'http:evil.example', '/%E0%A4%A', `/${'a'.repeat(3000)}`, '',
];
// Harmless before URL parsing, protocol-relative (`//evil.example`) after it collapses the dot segments.
const DOT_SEGMENTS = [
  '/.//evil.example', '/a/..//evil.example', '/a/b/../..//evil.example', '/%2e//evil.example', '/%2E//evil.example',
  '/a/%2e%2e//evil.example', '/a/.%2E//evil.example', '/././/evil.example/path?x=1', '/.//evil.example#/app',
];

let h: Harness;
let email: string;
beforeAll(async () => {
  h = await startHarness();
  const invited = await invite(h.runtime);
  email = invited.email;
  await claimAll(newAgent(h.app), invited.claimUrl);
});
afterAll(() => h.close());

describe('open redirects', () => {
  // Attack: an open redirect through returnTo, sending a member from a trusted sign-in page to a phishing site.
  it.each(HOSTILE)('open redirect: refuses returnTo %j', (value) => {
    expect(safeReturnPath(value)).toBeUndefined();
  });

  // Attack: an open redirect through dot segments that URL parsing collapses into a protocol-relative path.
  it.each(DOT_SEGMENTS)('open redirect through dot segments: refuses returnTo %j', (value) => {
    expect(safeReturnPath(value)).toBeUndefined();
  });

  it('keeps an ordinary path with its query and fragment', () => {
    expect(safeReturnPath('/app/reports?year=2026#top')).toBe('/app/reports?year=2026#top');
  });

  // Attack: the same, through the real sign-in form and the already-signed-in shortcut.
  it('open redirect: sign-in sends hostile returnTo values to the landing path', async () => {
    for (const returnTo of ['//evil.example', '/\\evil.example', 'https://evil.example/']) {
      const agent = newAgent(h.app);
      const token = csrfFrom((await agent.get(`/login?returnTo=${encodeURIComponent(returnTo)}`)).text);
      const res = await agent.post('/login').type('form').send({ _csrf: token, identifier: email, password: GOOD_PASSWORD, returnTo }).expect(303);
      expect(res.headers.location).toBe('/');
      const again = await agent.get(`/login?returnTo=${encodeURIComponent(returnTo)}`).expect(303);
      expect(again.headers.location).toBe('/');
    }
  });

  // Attack: a link on the real gateway that sends a signed-in member to another site through dot segments
  // (sign-in form, the already-signed-in shortcut and the terms page).
  it('open redirect through dot segments: sign-in and the terms page send the member to the landing path', async () => {
    for (const returnTo of DOT_SEGMENTS) {
      const agent = newAgent(h.app);
      const token = csrfFrom((await agent.get(`/login?returnTo=${encodeURIComponent(returnTo)}`)).text);
      const res = await agent.post('/login').type('form').send({ _csrf: token, identifier: email, password: GOOD_PASSWORD, returnTo }).expect(303);
      expect(res.headers.location).toBe('/');
      expect((await agent.get(`/login?returnTo=${encodeURIComponent(returnTo)}`).expect(303)).headers.location).toBe('/');
      expect((await agent.get(`/_claimgate/terms?returnTo=${encodeURIComponent(returnTo)}`).expect(303)).headers.location).toBe('/');
    }
  });

  // Attack: a hostile value echoed into the sign-in form, to be posted back later.
  it('open redirect: the sign-in page never echoes a hostile returnTo into its form', async () => {
    const page = await request(h.app).get(`/login?returnTo=${encodeURIComponent('//evil.example')}`).expect(200);
    expect(page.text).not.toContain('evil.example');
  });
});
