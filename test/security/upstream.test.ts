import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import request from 'supertest';
import WebSocket from 'ws';
import { FOREIGN_IDENTITY_HEADERS, FORWARDING_HEADERS } from '../../src/gateway/client-headers.js';
import { signedInMember } from '../support/claim-walk.js';
import { startHarness, type Harness } from '../support/harness.js';
import { startUpstream } from '../support/upstream.js';

let upstream: Awaited<ReturnType<typeof startUpstream>>;
let h: Harness;
let server: Server;
let port: number;
let cookie: string;
let memberId: string;

beforeAll(async () => {
  upstream = await startUpstream();
  h = await startHarness({ upstream: { url: upstream.url, landingPath: '/app' } });
  server = createServer(h.app).listen(0, '127.0.0.1');
  server.on('upgrade', h.handle.upgrade);
  await new Promise((resolve) => server.once('listening', resolve));
  port = (server.address() as AddressInfo).port;
  ({ cookie, id: memberId } = await signedInMember(h.runtime, h.app));
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await h.close();
  await upstream.close();
});

/** Sends the request target exactly as written (client libraries would normalise it) and returns status and body. */
function raw(target: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: target, agent: false, headers: { Host: 'claimgate.test', Cookie: cookie, Accept: 'text/html', ...headers } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The header spelled the way a client would: each family with a member's name appended. */
function spoofed(entries: readonly string[]): string[] {
  return entries.map((entry) => (entry.endsWith('-') ? `${entry}user` : entry));
}

describe('client headers the upstream would believe', () => {
  // Attack: Host header poisoning (reset links, cache keys, virtual-host routing) while X-Forwarded-Host is pinned.
  it('host header poisoning: the upstream gets baseUrl\'s host, never the client\'s', async () => {
    const res = await request(server).get('/app/host').set('Cookie', cookie).set('Host', 'evil.example').expect(200);
    const seen = JSON.parse(res.text);
    expect(seen.headers.host).toBe('claimgate.test');
    expect(seen.headers['x-forwarded-host']).toBe('claimgate.test');
    const socket = new WebSocket(`ws://127.0.0.1:${port}/socket`, { headers: { Cookie: cookie, Host: 'evil.example' } });
    const hello = await new Promise<string>((resolve, reject) => socket.once('message', (data) => resolve(data.toString())).once('error', reject));
    socket.close();
    expect(JSON.parse(hello)).toEqual({ hello: memberId });
  });

  // Attack: forwarding headers that frameworks read for scheme, host, port, path prefix or client address
  // (X-Forwarded-Prefix, X-Original-URL, X-Rewrite-URL, Forwarded, X-Real-IP, ...), also spelled with underscores.
  it('forwarding header spoofing: every forwarding-style header the client sends is removed or rewritten', async () => {
    const names = spoofed(FORWARDING_HEADERS);
    const headers = Object.fromEntries([...names, ...names.map((name) => name.replace(/-/g, '_'))].map((name) => [name, '/evil.example']));
    const answer = await raw('/app/forwarding', headers);
    expect(answer.status).toBe(200);
    const seen = JSON.parse(answer.body);
    expect(JSON.stringify(seen.headers)).not.toContain('evil.example');
    expect(seen.headers).toMatchObject({ 'x-forwarded-host': 'claimgate.test', 'x-forwarded-proto': 'http', 'x-forwarded-port': '80', host: 'claimgate.test' });
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
  });

  // Attack: another product's identity headers (oauth2-proxy, Authelia, Apache, mod_auth_openidc, ...) read by an
  // upstream that was once behind that product: the client names itself admin.
  it('foreign identity header spoofing: oauth2-proxy, Authelia, Apache and mod_auth_openidc headers never reach the upstream', async () => {
    const names = [
      ...spoofed(FOREIGN_IDENTITY_HEADERS), 'X-Auth-Request-Email', 'X-Auth-Request-Groups', 'X-Auth-Request-Preferred-Username', 'X-Auth-Request-Access-Token',
      'X-Forwarded-User', 'X-Forwarded-Email', 'X-Forwarded-Groups', 'X-Forwarded-Preferred-Username', 'X-Forwarded-Access-Token',
      'Remote-User', 'Remote-Groups', 'Remote-Name', 'Remote-Email', 'X-Remote-User', 'REMOTE_USER', 'OIDC_CLAIM_email', 'OIDC_CLAIM_groups', 'OIDC_access_token',
      'X-Claimgate-User', 'x_claimgate_groups',
    ];
    const answer = await raw('/app/identity', Object.fromEntries(names.map((name) => [name, 'admin'])));
    expect(answer.status).toBe(200);
    const seen = JSON.parse(answer.body) as { headers: Record<string, string> };
    const leaked = Object.entries(seen.headers).filter(([, value]) => value === 'admin').map(([name]) => name);
    expect(leaked).toEqual([]);
    expect(seen.headers['x-claimgate-user']).toBe(memberId);
  });

  it('sends the upstream its own host when asked to, and passes a header a trusted proxy sets when kept', async () => {
    const own = await startHarness({ upstream: { url: upstream.url, host: 'upstream', keepClientHeaders: ['X-Forwarded-Prefix'] } });
    try {
      const member = await signedInMember(own.runtime, own.app);
      const res = await request(own.app).get('/app/own-host').set('Cookie', member.cookie).set('Host', 'evil.example')
        .set('X-Forwarded-Prefix', '/portal').set('X-Original-URL', '/admin').expect(200);
      const seen = JSON.parse(res.text);
      expect(seen.headers.host).toBe(new URL(upstream.url).host);
      expect(seen.headers['x-forwarded-prefix']).toBe('/portal');
      expect(seen.headers['x-original-url']).toBeUndefined();
    } finally {
      await own.close();
    }
  });
});

describe('reserved paths in other spellings', () => {
  const reserved = (url: string) => /^\/+(login|logout|claim|_claimgate|auth\/verify|admin|sso|healthz|readyz)(?:[/?]|$)/.test(url);

  // Attack: reaching claimgate's paths on the upstream (or the upstream's copy of them) through a spelling that the
  // ownership check and the proxy read differently.
  it.each([
    ['absolute-form target', 'http://claimgate.test/admin'],
    ['absolute-form target on another host', 'http://evil.example/login?x=1'],
    ['dot segments', '/app/../admin'],
    ['percent-encoded dot segments', '/app/%2e%2e/login'],
    ['mixed dot segments', '/app/.%2E/_claimgate/terms'],
    ['single dot segments', '/./admin/./people'],
    ['backslashes', '/app\\..\\admin'],
    ['repeated slashes', '//admin'],
  ])('reserved path smuggling (%s): %j is answered by claimgate, never the upstream', async (_name, target) => {
    const before = upstream.seen.length;
    const answer = await raw(target);
    expect(answer.status).toBeGreaterThanOrEqual(200);
    expect(upstream.seen.slice(before).filter((seen) => reserved(seen.url))).toEqual([]);
    expect(upstream.seen.length).toBe(before);
  });

  it('an ordinary path with dot segments still reaches the upstream, as the proxy would send it', async () => {
    const answer = await raw('/app/reports/../files/./a.txt?x=1');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).url).toBe('/app/files/a.txt?x=1');
  });

  // Attack: a WebSocket upgrade to a reserved path, in any spelling, tunnelled to the upstream.
  it.each(['/admin', '/login', '/app/../_claimgate/x', '/app/%2e%2e/sso/x', '//claim/flow', 'http://claimgate.test/admin'])('reserved path smuggling over WebSocket: an upgrade to %j gets 404', async (target) => {
    const statusLine = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('data', (chunk) => {
        resolve(chunk.toString('latin1').split('\r\n')[0]!);
        socket.destroy();
      });
      socket.on('error', reject);
      socket.write(`GET ${target} HTTP/1.1\r\nHost: claimgate.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${Buffer.alloc(16, 1).toString('base64')}\r\nSec-WebSocket-Version: 13\r\nCookie: ${cookie}\r\n\r\n`);
    });
    expect(statusLine).toBe('HTTP/1.1 404 Not Found');
  });
});
