import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { signedInMember } from '../support/claim-walk.js';
import { startHarness, type Harness } from '../support/harness.js';
import { startUpstream } from '../support/upstream.js';
import { assignGroups } from '../../src/groups/assigned.js';
import { ACCESS_DENIED_ROWS } from '../../src/gateway/policy/access.js';

type Upstream = Awaited<ReturnType<typeof startUpstream>>;
let h: Harness;
let main: Upstream;
let wiki: Upstream;
let payroll: Upstream;
let server: Server;
let port: number;
const cookies: Record<'payer' | 'chooser' | 'engineer', string> = { payer: '', chooser: '', engineer: '' };
const ids: Record<string, string> = {};

async function member(name: keyof typeof cookies, assigned: string[]): Promise<void> {
  // Every member chose the pool groups Announcements and Engineering at first access.
  const signedIn = await signedInMember(h.runtime, h.app, `${name}@example.com`, name);
  ids[name] = signedIn.id;
  cookies[name] = signedIn.cookie;
  if (assigned.length) await h.runtime.db.transaction((manager) => assignGroups(h.runtime, manager, signedIn.id, assigned, 'admin', null));
}

beforeAll(async () => {
  [main, wiki, payroll] = await Promise.all([startUpstream(), startUpstream(), startUpstream()]);
  h = await startHarness({
    upstream: { url: main.url },
    gateway: {
      upstreams: { wiki: wiki.url, payroll: payroll.url },
      routes: [
        { name: 'health', path: '/health', upstream: 'wiki', public: true },
        { name: 'ops', host: 'ops.example', path: '/', upstream: 'payroll', allow: { loginMethods: ['sso'] } },
        { name: 'payroll', path: '/payroll', upstream: 'payroll', allow: { groups: ['Payroll'] }, deny: { emails: ['fired@example.com'] } },
        { name: 'wiki', path: '/wiki', upstream: 'wiki', allow: { groups: ['Engineering'] } },
      ],
    },
  });
  await member('payer', ['Payroll']);
  await member('chooser', []);
  await member('engineer', ['Engineering']);
  server = createServer(h.app);
  server.on('upgrade', h.handle.upgrade);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await h?.close();
  await Promise.all([main, wiki, payroll].map((upstream) => upstream?.close()));
});

/** One request with the target exactly as written (absolute form, escapes, doubled slashes, backslashes). */
function raw(target: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path: target, headers: { host: 'claimgate.test', accept: 'application/json', ...headers } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

const as = (name: keyof typeof cookies) => ({ cookie: cookies[name] });

describe('routes', () => {
  // Attack: anonymous access to a protected app next to a public path (health checks, webhooks) on the same gateway.
  it('serves a public route without a cookie, and no identity with it, while its neighbour asks for sign-in', async () => {
    const before = wiki.seen.length;
    const health = await raw('/health/live', { 'X-Claimgate-User': 'spoofed', 'X-Claimgate-Groups': 'Payroll' });
    expect(health.status).toBe(200);
    const seen = JSON.parse(health.body);
    expect(seen.url).toBe('/health/live');
    expect(seen.headers['x-claimgate-user']).toBeUndefined();
    expect(seen.headers['x-claimgate-groups']).toBeUndefined();
    expect(wiki.seen.length).toBe(before + 1);
    expect((await raw('/wiki/page')).status).toBe(401);
    expect((await raw('/healthcheck')).status).toBe(401);
    const page = await raw('/wiki/page', { accept: 'text/html' });
    expect(page.status).toBe(303);
    expect(page.headers.location).toBe('/login?returnTo=%2Fwiki%2Fpage');
  });

  it('sends each route to its own upstream with the member\'s assigned groups, and unmatched paths to upstream.url', async () => {
    const pay = await raw('/payroll/q3', as('payer'));
    expect(pay.status).toBe(200);
    expect(JSON.parse(pay.body).headers['x-claimgate-groups']).toBe('Payroll');
    expect(payroll.seen.at(-1)!.url).toBe('/payroll/q3');
    const other = await raw('/anything', as('chooser'));
    expect(other.status).toBe(200);
    expect(main.seen.at(-1)!.url).toBe('/anything');
  });

  // Attack: self-granted access: the member chose the pool group "Engineering"; only an assigned one opens /wiki.
  it('refuses a member who chose a pool group named like the protected one, with a 403 page or JSON', async () => {
    expect((await raw('/wiki/page', as('engineer'))).status).toBe(200);
    const json = await raw('/wiki/page', as('chooser'));
    expect(json.status).toBe(403);
    expect(JSON.parse(json.body).error.code).toBe('access_denied');
    const html = await raw('/wiki/page', { ...as('chooser'), accept: 'text/html' });
    expect(html.status).toBe(403);
    expect(html.body).toContain('this page is not open to you');
    expect(html.body).toContain('href="/_claimgate/me"');
  });

  // Attack: path spelling. Every spelling an upstream may read as /payroll gets the plain spelling's decision.
  const spellings = [
    '/payroll', '/PAYROLL/x', '/PayRoll', '//payroll', '///payroll/x', '/x/../payroll', '/x/%2e%2e/payroll', '/x/%2E%2E/payroll', '/%70ayroll',
    '/payroll%2Fx', '/wiki/..%2Fpayroll', '/wiki%2F..%2Fpayroll', '/payroll;jsessionid=1', '/payroll;/x', '/health/..;/payroll', '/health;/../payroll',
    '/x\\..\\payroll', 'http://claimgate.test/payroll', 'http://other.example/payroll', 'http://claimgate.test/x/../payroll', '/payroll/',
  ];
  it.each(spellings)('refuses %s to a member outside the policy and admits the member inside it', async (target) => {
    const refused = await raw(target, as('chooser'));
    expect(refused.status).toBe(403);
    const before = payroll.seen.length;
    const admitted = await raw(target, as('payer'));
    expect(admitted.status).toBe(200);
    expect(payroll.seen.length).toBe(before + 1);
    // Anonymous: never the public route's answer.
    expect((await raw(target)).status).toBe(401);
  });

  it('matches a route by Host: the ops host admits SSO members only', async () => {
    const refused = await raw('/anything', { ...as('payer'), host: 'OPS.example:80' });
    expect(refused.status).toBe(403);
    const rows = await h.runtime.db.source.manager.findBy(h.runtime.db.entities.AuditEvent, { memberId: ids.payer, event: 'access.denied' });
    expect(rows.some((row) => JSON.parse(row.details!).route === 'ops' && JSON.parse(row.details!).reason === 'not_allowed')).toBe(true);
  });

  // Attack: a WebSocket upgrade as a side door into a protected prefix.
  it('decides WebSocket upgrades with the same policy, in any spelling', async () => {
    const open = (path: string, name?: keyof typeof cookies) => new Promise<number | 'open'>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers: name ? { Cookie: cookies[name] } : {} });
      ws.on('open', () => {
        ws.close();
        resolve('open');
      });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode!));
      ws.on('error', () => undefined);
    });
    expect(await open('/payroll/socket', 'payer')).toBe('open');
    expect(await open('/payroll/socket', 'chooser')).toBe(403);
    expect(await open('/PAYROLL/socket', 'chooser')).toBe(403);
    expect(await open('/x/%2e%2e/payroll/socket', 'chooser')).toBe(403);
    expect(await open('/payroll/socket')).toBe(401);
    expect(await open('/health/socket')).toBe('open');
  });

  // Attack: filling the append-only audit table by repeating a refused request.
  it('audits access.denied with route and reason, bounded per member and window, and counts every outcome', async () => {
    const { manager } = h.runtime.db.source;
    const counted = (await h.runtime.metrics.gatewayDecisions.get()).values.find((v) => v.labels.route === 'wiki' && v.labels.outcome === 'denied')?.value ?? 0;
    for (let index = 0; index < ACCESS_DENIED_ROWS + 5; index++) expect((await raw('/wiki/x', as('chooser'))).status).toBe(403);
    const rows = await manager.find(h.runtime.db.entities.AuditEvent, { where: { memberId: ids.chooser, event: 'access.denied' }, order: { id: 'ASC' } });
    expect(rows).toHaveLength(ACCESS_DENIED_ROWS + 1);
    expect(JSON.parse(rows[0]!.details!)).toMatchObject({ route: 'wiki', reason: 'not_allowed', method: 'GET', path: expect.stringMatching(/^\/wiki\//) });
    expect(JSON.parse(rows.at(-1)!.details!)).toMatchObject({ suppressed: true });
    const metric = await h.runtime.metrics.gatewayDecisions.get();
    const value = (route: string, outcome: string) => metric.values.find((v) => v.labels.route === route && v.labels.outcome === outcome)?.value ?? 0;
    expect(value('wiki', 'denied')).toBe(counted + ACCESS_DENIED_ROWS + 5);
    expect(value('health', 'public')).toBeGreaterThan(0);
    expect(value('payroll', 'allowed')).toBeGreaterThan(0);
    expect(value('wiki', 'sign_in')).toBeGreaterThan(0);
  });

  it('decides forward auth with the same routes from X-Forwarded-Uri/Host/Method or X-Original-URL', async () => {
    const verify = (headers: Record<string, string>) => raw('/auth/verify', headers);
    expect((await verify({ ...as('chooser'), 'X-Forwarded-Uri': '/payroll/x', 'X-Forwarded-Host': 'claimgate.test' })).status).toBe(403);
    expect((await verify({ ...as('chooser'), 'X-Forwarded-Uri': '/x/%2e%2e/PAYROLL;a=b' })).status).toBe(403);
    expect((await verify({ ...as('chooser'), 'X-Original-URL': 'https://claimgate.test//payroll' })).status).toBe(403);
    const ok = await verify({ ...as('payer'), 'X-Forwarded-Uri': '/payroll/x' });
    expect(ok.status).toBe(202);
    expect(ok.headers['x-claimgate-groups']).toBe('Payroll');
    expect((await verify({ ...as('payer'), 'X-Forwarded-Uri': '/x', 'X-Forwarded-Host': 'ops.example' })).status).toBe(403);
    const publicAnswer = await verify({ 'X-Forwarded-Uri': '/health' });
    expect(publicAnswer.status).toBe(202);
    expect(publicAnswer.headers['x-claimgate-user']).toBeUndefined();
    expect((await verify({ 'X-Forwarded-Uri': '/health/..;/payroll' })).status).toBe(401);
    expect((await verify({ ...as('chooser'), 'X-Forwarded-Uri': '/anything' })).status).toBe(202);
  });
});
