import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, jwtVerify } from 'jose';
import request from 'supertest';
import WebSocket from 'ws';
import { csrfFrom, newAgent, type Agent } from '../support/browser-agent.js';
import { claimAll, GOOD_PASSWORD, invite, signedInMember } from '../support/claim-walk.js';
import { startHarness, type Harness } from '../support/harness.js';
import { startUpstream } from '../support/upstream.js';
import { assignGroups } from '../../src/groups/assigned.js';

let upstream: Awaited<ReturnType<typeof startUpstream>>;
let h: Harness;
let member: Agent;
let memberId: string;
let email: string;

beforeAll(async () => {
  upstream = await startUpstream();
  h = await startHarness({ upstream: { url: upstream.url, landingPath: '/app' } });
  const invited = await invite(h.runtime, 'gatekeeper@example.com', 'Zoë Gate');
  memberId = invited.id;
  email = invited.email;
  member = newAgent(h.app);
  await claimAll(member, invited.claimUrl, { name: 'Zoë Gate' });
  await h.runtime.db.transaction((manager) => assignGroups(h.runtime, manager, memberId, ['Engineering'], 'admin', null));
});
afterAll(async () => {
  await h.close();
  await upstream.close();
});

/** A member who claimed their account while the terms were at their old version, then the terms move to `version`. */
async function withNewTermsFor(email: string, version: string, work: (member: Agent, memberId: string) => Promise<void>): Promise<void> {
  const reader = await invite(h.runtime, email);
  const member = newAgent(h.app);
  await claimAll(member, reader.claimUrl);
  const terms = h.runtime.config.firstAccess.terms;
  const previous = terms.version;
  terms.version = version;
  h.runtime.identities.forget(reader.id);
  try {
    await work(member, reader.id);
  } finally {
    terms.version = previous;
    h.runtime.identities.forget(reader.id);
  }
}

async function signedInCookie(identifier: string): Promise<string> {
  const agent = newAgent(h.app);
  const token = csrfFrom((await agent.get('/login')).text);
  const res = await agent.post('/login').type('form').send({ _csrf: token, identifier, password: GOOD_PASSWORD }).expect(303);
  return (res.headers['set-cookie'] as unknown as string[])[0]!.split(';')[0]!;
}

async function seenBy(agent: Agent, path: string, headers: Record<string, string> = {}) {
  const res = await agent.get(path).set(headers).expect(200);
  return JSON.parse(res.text) as (typeof upstream.seen)[number];
}

describe('reverse proxy', () => {
  it('sends anonymous pages to sign-in, coming back to where they were going', async () => {
    const res = await request(h.app).get('/reports/q3?x=1').set('Accept', 'text/html');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?returnTo=%2Freports%2Fq3%3Fx%3D1');
    expect(upstream.seen.some((s) => s.url.startsWith('/reports'))).toBe(false);
  });

  it('answers anonymous API calls (JSON or not a GET) with 401 JSON', async () => {
    const json = await request(h.app).get('/api/items').set('Accept', 'application/json');
    expect(json.status).toBe(401);
    expect(json.body.error.code).toBe('not_signed_in');
    expect((await request(h.app).post('/api/items').send('x=1')).status).toBe(401);
  });

  it('proxies a signed-in member with identity headers, X-Forwarded-*, and the upstream\'s own security headers', async () => {
    const res = await member.get('/app/page?q=1').set('Accept', 'text/html').expect(200);
    expect(res.headers['content-security-policy']).toBe("default-src 'self' 'unsafe-inline'");
    const seen = JSON.parse(res.text);
    expect(seen.url).toBe('/app/page?q=1');
    expect(seen.headers).toMatchObject({
      'x-claimgate-user': memberId,
      'x-claimgate-email': email,
      'x-claimgate-name': encodeURIComponent('Zoë Gate'),
      'x-claimgate-groups': 'Engineering',
      'x-claimgate-chosen-groups': 'Announcements,Engineering',
      'x-forwarded-proto': 'http',
    });
    expect(seen.headers['x-forwarded-for']).toBeDefined();
  });

  // Attack: a leaked upstream log or an upstream bug handing out claimgate sessions.
  it('keeps claimgate\'s session cookie from the upstream and passes the app\'s own cookies', async () => {
    const seen = await seenBy(member, '/app/cookies', { Cookie: 'theme=dark' });
    expect(seen.headers.cookie).toBe('theme=dark');
    const none = await seenBy(member, '/app/cookies');
    expect(none.headers.cookie).toBeUndefined();
  });

  // Attack: poisoning links the upstream builds from X-Forwarded-Host, or faking the client address.
  it('writes the forwarding headers itself and drops what the client claimed', async () => {
    const seen = await seenBy(member, '/app/fwd', {
      'X-Forwarded-Host': 'evil.example', 'X-Forwarded-For': '10.9.9.9', 'X-Forwarded-Proto': 'https', 'X-Forwarded-Port': '8443',
      Forwarded: 'for=10.9.9.9;host=evil.example', 'X-Real-IP': '10.9.9.9',
    });
    expect(seen.headers['x-forwarded-host']).toBe('claimgate.test');
    expect(seen.headers['x-forwarded-proto']).toBe('http');
    expect(seen.headers['x-forwarded-port']).toBe('80');
    expect(seen.headers['x-forwarded-for']).not.toContain('10.9.9.9');
    expect(seen.headers.forwarded).toBeUndefined();
    expect(seen.headers['x-real-ip']).toBeUndefined();
  });

  it('streams request bodies to the upstream untouched, whatever their type', async () => {
    const body = Buffer.alloc(3 * 1024 * 1024, 'a');
    const form = await member.post('/app/form').type('form').send('a=1&b=2').expect(200);
    expect(JSON.parse(form.text)).toMatchObject({ method: 'POST', bodyLength: 7 });
    const json = await member.post('/app/json').set('Content-Type', 'application/json').send('{"big":true}').expect(200);
    expect(JSON.parse(json.text).bodyLength).toBe(12);
    const binary = await member.post('/app/upload').set('Content-Type', 'application/octet-stream').send(body).expect(200);
    expect(JSON.parse(binary.text)).toMatchObject({ bodyLength: body.length, bodySha256: createHash('sha256').update(body).digest('hex') });
  });

  it('streams a large response through', async () => {
    const res = await member.get('/big?mb=24').buffer(true).parse((r, done) => {
      const hash = createHash('sha256');
      let length = 0;
      r.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        length += chunk.length;
      });
      r.on('end', () => done(null, { length, sha: hash.digest('hex') }));
    });
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(24 * 1024 * 1024);
  });

  // Attack: a client claiming to be someone else through identity headers, in every spelling a server might accept.
  it('strips identity headers the client sent, in any case, repeated, or with underscores', async () => {
    const spoofed = await seenBy(member, '/app/spoof', {
      'X-Claimgate-User': 'admin',
      'x-claimgate-EMAIL': 'ceo@example.com',
      'X-CLAIMGATE-GROUPS': 'Admins',
      'X_Claimgate_Username': 'root',
      'x-claimgate-identity': 'forged.jwt.token',
      'X-Claimgate-Extra': 'anything',
    });
    expect(spoofed.headers['x-claimgate-user']).toBe(memberId);
    expect(spoofed.headers['x-claimgate-email']).toBe(email);
    expect(spoofed.headers['x-claimgate-groups']).toBe('Engineering');
    expect(spoofed.headers['x-claimgate-extra']).toBeUndefined();
    expect(spoofed.headers['x_claimgate_username']).toBeUndefined();
    expect(spoofed.headers['x-claimgate-identity']).not.toBe('forged.jwt.token');
    const names = spoofed.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    expect(names.filter((n) => n === 'x-claimgate-user')).toHaveLength(1);

    // Anonymous spoofing gets nowhere near the upstream.
    const before = upstream.seen.length;
    await request(h.app).get('/app/spoof').set('X-Claimgate-User', memberId).set('Accept', 'application/json').expect(401);
    expect(upstream.seen.length).toBe(before);
  });

  // Attack: smuggling headers past the proxy by naming them hop-by-hop.
  it('does not forward hop-by-hop headers', async () => {
    const seen = await seenBy(member, '/app/hop', { Connection: 'keep-alive, X-Secret-Hop', 'X-Secret-Hop': 'value', 'Proxy-Authorization': 'Basic abc' });
    expect(seen.headers['x-secret-hop']).toBeUndefined();
    expect(seen.headers['proxy-authorization']).toBeUndefined();
  });

  // Attack: request smuggling: a body whose framing the proxy drops reaches the upstream as a second request,
  // carrying identity headers the attacker wrote.
  it.each([
    ['Content-Length named in Connection', (path: string, body: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, Content-Length\r\nContent-Length: ${body.length}\r\n`],
    ['Transfer-Encoding named in Connection', (path: string, body: string) => `POST ${path} HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, Transfer-Encoding\r\nTransfer-Encoding: chunked\r\n`.replace('chunked\r\n', `chunked\r\n`) + `X-Len: ${body.length}\r\n`],
    ['chunked body on DELETE', (path: string) => `DELETE ${path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n`],
    ['chunked body on OPTIONS', (path: string) => `OPTIONS ${path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n`],
  ])('lets no smuggled request reach the upstream (%s)', async (_name, head) => {
    const { connect } = await import('node:net');
    const server = createServer(h.app).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const cookie = await signedInCookie(email);
    const carriersBefore = upstream.seen.filter((s) => s.url === '/app/carrier').length;
    const inner = 'GET /smuggled HTTP/1.1\r\nHost: x\r\nX-Claimgate-User: victim\r\nX-Claimgate-Groups: Admins\r\n\r\n';
    const framed = head('/app/carrier', inner);
    const body = framed.includes('chunked') ? `${inner.length.toString(16)}\r\n${inner}\r\n0\r\n\r\n` : inner;
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    // The gateway's answer (or its closing the connection) comes after the upstream has had whatever it was sent.
    const answered = new Promise((resolve) => {
      socket.once('data', resolve);
      socket.once('close', resolve);
    });
    socket.write(`${framed}Cookie: ${cookie}\r\n\r\n${body}`);
    await answered;
    socket.destroy();
    await new Promise((resolve) => server.close(resolve));
    expect(upstream.seen.some((s) => s.url === '/smuggled')).toBe(false);
    // The carrier itself went through when its method may carry a body: the session was valid, the check was real.
    const carried = upstream.seen.filter((s) => s.url === '/app/carrier').length - carriersBefore;
    expect(carried).toBe(framed.startsWith('GET') || framed.startsWith('POST') ? 1 : 0);
  });

  it('answers 502 with a readable page when the upstream is down, and keeps serving', async () => {
    const dead: Server = createServer();
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((resolve) => dead.close(() => resolve()));
    const down = await startHarness({ upstream: { url: `http://127.0.0.1:${port}` } });
    try {
      const invited = await invite(down.runtime);
      const agent = newAgent(down.app);
      await claimAll(agent, invited.claimUrl);
      const page = await agent.get('/anything').set('Accept', 'text/html');
      expect(page.status).toBe(502);
      expect(page.text).toContain('upstream_unavailable');
      const api = await agent.get('/anything').set('Accept', 'application/json');
      expect(api.status).toBe(502);
      expect(api.body.error.code).toBe('upstream_unavailable');
      // The page offers to try the same path again and names a reference that the log line carries too.
      expect(page.text).toContain('<a href="/anything">Try again</a>');
      const reference = page.headers['x-request-id'] as string;
      expect(page.text).toContain(reference);
      expect(api.body.error.requestId).toBe(api.headers['x-request-id']);
      expect(down.logs.some((line) => line.includes(reference) && line.includes('upstream_unavailable'))).toBe(true);
      await agent.get('/healthz').expect(200);
    } finally {
      await down.close();
    }
  });
});

describe('identity token', () => {
  it('is signed with a key published at /.well-known/jwks.json, carries the identity, and is reused per session', async () => {
    const jwks = (await request(h.app).get('/.well-known/jwks.json').expect(200)).body;
    expect(jwks.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    expect(jwks.keys[0].d).toBeUndefined();
    const first = await seenBy(member, '/app/one');
    const second = await seenBy(member, '/app/two');
    const token = first.headers['x-claimgate-identity'] as string;
    expect(second.headers['x-claimgate-identity']).toBe(token);
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer: h.config.baseUrl, audience: upstream.url });
    expect(protectedHeader.kid).toBe(jwks.keys[0].kid);
    expect(payload).toMatchObject({ sub: memberId, email, name: 'Zoë Gate', groups: ['Engineering'], chosen_groups: ['Announcements', 'Engineering'] });
    expect(payload.exp! - payload.iat!).toBe(h.config.gateway.jwt.ttl / 1000);
  });

  // Attack: replaying a captured identity token after it expired.
  it('is refused after it expires', async () => {
    const jwks = (await request(h.app).get('/.well-known/jwks.json')).body;
    const token = (await seenBy(member, '/app/exp')).headers['x-claimgate-identity'] as string;
    const later = new Date(Date.now() + h.config.gateway.jwt.ttl + 1000);
    await expect(jwtVerify(token, createLocalJWKSet(jwks), { currentDate: later })).rejects.toMatchObject({ code: 'ERR_JWT_EXPIRED' });
  });
});

describe('forward auth (/auth/verify)', () => {
  it('answers 202 with the identity headers for a valid session and 401 otherwise', async () => {
    const ok = await member.get('/auth/verify').expect(202);
    await member.head('/auth/verify').expect(202);
    expect(ok.headers['x-claimgate-user']).toBe(memberId);
    expect(ok.headers['x-claimgate-groups']).toBe('Engineering');
    expect(ok.headers['x-claimgate-identity']).toMatch(/^ey/);
    await request(h.app).get('/auth/verify').expect(401);
    await request(h.app).get('/auth/verify').set('Cookie', 'claimgate.sid=s%3Aforged.sig').expect(401);
  });

  it('restricts by allowed_groups as oauth2-proxy does', async () => {
    await member.get('/auth/verify?allowed_groups=Engineering').expect(202);
    await member.get('/auth/verify?allowed_groups=Admins,Engineering').expect(202);
    const refused = await member.get('/auth/verify?allowed_groups=Admins,Finance');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('not_in_group');
    // Attack: self-granted access: a group the member chose at first access opens nothing.
    await member.get('/auth/verify?allowed_groups=Announcements').expect(403);
  });
});

describe('sessions on the proxied path', () => {
  it('reads the session store once and writes nothing per steady proxied request', async () => {
    const store = h.runtime.store;
    await member.get('/app/warm').expect(200);
    const counts = { reads: 0, writes: 0 };
    const original = { get: store.get, set: store.set, touchIfPresent: store.touchIfPresent };
    store.get = (namespace, id) => { if (namespace === 'sessions') counts.reads++; return original.get.call(store, namespace, id); };
    store.set = (namespace, id, value, ttl) => { if (namespace === 'sessions') counts.writes++; return original.set.call(store, namespace, id, value, ttl); };
    store.touchIfPresent = (namespace, id, value) => { if (namespace === 'sessions') counts.writes++; return original.touchIfPresent.call(store, namespace, id, value); };
    // In Redis mode the store's own commands are counted: a touch that sends nothing is no write.
    const redis = h.runtime.redis;
    const redisCommands: string[] = [];
    const wrapped = redis ? (['get', 'set', 'expire', 'del'] as const).map((name) => {
      const fn = (redis as unknown as Record<string, (...args: unknown[]) => unknown>)[name]!;
      (redis as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => { redisCommands.push(name); return fn.apply(redis, args); };
      return [name, fn] as const;
    }) : [];
    try {
      for (let i = 0; i < 20; i++) await member.get(`/app/steady/${i}`).expect(200);
    } finally {
      Object.assign(store, original);
      for (const [name, fn] of wrapped) (redis as unknown as Record<string, unknown>)[name] = fn;
    }
    expect(counts).toEqual({ reads: 20, writes: 0 });
    if (redis) expect(redisCommands).toEqual(Array(20).fill('get'));
  });

  // Attack (race): a proxied request in flight while the member signs out writes the session back to life.
  it('never brings a signed-out session back when moving the idle clock', async () => {
    const agent = newAgent(h.app);
    const signedIn = await invite(h.runtime, 'signout-race@example.com');
    await claimAll(agent, signedIn.claimUrl);
    await agent.get('/app/ready').expect(200);
    const store = h.runtime.store;
    const originalGet = store.get;
    h.advance(61_000);
    store.get = async (namespace, id) => {
      const value = await originalGet.call(store, namespace, id);
      // The member signs out between this request's read and its idle-clock write.
      if (namespace === 'sessions') await new Promise((resolve) => h.handle.sessionStore.destroy(id, resolve));
      return value;
    };
    try {
      await agent.get('/app/in-flight');
    } finally {
      store.get = originalGet;
      h.advance(-61_000);
    }
    await agent.get('/app/after').set('Accept', 'application/json').expect(401);
  });

  it('asks for the new terms before the next proxied request when the version changes', async () => {
    await withNewTermsFor('terms-reader@example.com', '2027-01', async (member) => {
      const res = await member.get('/app/after-terms').set('Accept', 'text/html');
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/_claimgate/terms?returnTo=%2Fapp%2Fafter-terms');
      const api = await member.get('/app/after-terms').set('Accept', 'application/json');
      expect(api.status).toBe(403);
      expect(api.body.error.code).toBe('terms_not_accepted');
      await member.get('/_claimgate/terms').expect(303).expect('location', '/claim/flow/terms');
      const token = csrfFrom((await member.get('/claim/flow/terms')).text);
      await member.post('/claim/flow/terms').type('form').send({ _csrf: token, accept: 'yes' }).expect(303).expect('location', '/app');
      await member.get('/app/after-terms').expect(200);
    });
  });

  // Attack (or accident): a redirect loop between the gateway and the terms page, when the new terms were accepted on
  // another replica and this one still holds the identity it cached before.
  it('a member who accepted the new terms elsewhere passes at once, whatever this replica cached', async () => {
    await withNewTermsFor('terms-elsewhere@example.com', '2027-02', async (member, memberId) => {
      await member.get('/app/elsewhere').set('Accept', 'text/html').expect(303);
      const { db } = h.runtime;
      // What the other replica's completion wrote; this replica's identity cache was not told.
      await db.transaction((m) => m.insert(db.entities.TermsAcceptance, { id: randomUUID(), memberId, version: '2027-02', locale: null, acceptedAt: h.runtime.now() }));
      await member.get('/app/elsewhere').set('Accept', 'text/html').expect(200);
    });
  });
});

describe('WebSocket', () => {
  /** A server for `harness` that also takes upgrades, and its port. */
  async function listenWithUpgrades(harness: Harness): Promise<{ server: Server; port: number }> {
    const server = createServer(harness.app).listen(0, '127.0.0.1');
    server.on('upgrade', harness.handle.upgrade);
    await new Promise((resolve) => server.once('listening', resolve));
    return { server, port: (server.address() as AddressInfo).port };
  }

  /** A claimed member signed in with a password, and their session cookie. */
  it('carries an authenticated upgrade through to the upstream and refuses an anonymous one', async () => {
    const { server, port } = await listenWithUpgrades(h);
    try {
      const socketMember = await signedInMember(h.runtime, h.app, 'socket@example.com');
      const cookie = socketMember.cookie;

      const ws = new WebSocket(`ws://127.0.0.1:${port}/socket`, { headers: { Cookie: cookie, 'X-Claimgate-User': 'spoofed' } });
      const messages: string[] = [];
      await new Promise<void>((resolve, reject) => {
        ws.on('message', (data) => {
          messages.push(data.toString());
          if (messages.length === 1) ws.send('ping');
          else { ws.close(); resolve(); }
        });
        ws.on('error', reject);
      });
      expect(JSON.parse(messages[0]!)).toEqual({ hello: socketMember.id });
      expect(messages[1]).toBe('echo:ping');

      const anonymous = new WebSocket(`ws://127.0.0.1:${port}/socket`);
      const status = await new Promise<number>((resolve) => anonymous.on('unexpected-response', (_req, response) => resolve(response.statusCode!)));
      expect(status).toBe(401);

      // Attack: cross-site WebSocket hijacking with the member's cookie.
      const hijack = new WebSocket(`ws://127.0.0.1:${port}/socket`, { headers: { Cookie: cookie, Origin: 'https://evil.example' } });
      const hijackStatus = await new Promise<number>((resolve) => hijack.on('unexpected-response', (_req, response) => resolve(response.statusCode!)));
      expect(hijackStatus).toBe(403);

      // Attack: a client that resets the connection in the middle of an upgrade must not stop the server.
      const { connect } = await import('node:net');
      for (let i = 0; i < 5; i++) {
        const raw = connect(port, '127.0.0.1');
        raw.on('error', () => undefined);
        await new Promise((resolve) => raw.once('connect', resolve));
        raw.write(`GET /socket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${Buffer.alloc(16, i).toString('base64')}\r\nSec-WebSocket-Version: 13\r\nCookie: ${cookie}\r\n\r\n`);
        raw.resetAndDestroy();
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
      await request(server).get('/healthz').expect(200);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  // Attack on availability: an open tunnel has no request to finish, so a drain waited for it until the grace period
  // ran out and the process exited 1 (a crash to the orchestrator), at every deploy of an app with WebSockets.
  it('a drain closes the open tunnels, a public route\'s too, and answers an upgrade that arrives meanwhile 503', async () => {
    const up = await startUpstream();
    const gw = await startHarness({ upstream: { url: up.url }, gateway: { upstreams: { app: up.url }, routes: [{ name: 'live', path: '/live', upstream: 'app', public: true }] } });
    const { server, port } = await listenWithUpgrades(gw);
    const open: WebSocket[] = [];
    /** Opens a tunnel and resolves once the upstream's first message came through it. */
    const tunnel = (path: string, headers: Record<string, string> = {}) => new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers });
      open.push(ws);
      ws.once('message', () => resolve(ws));
      ws.once('error', reject);
    });
    try {
      const { cookie } = await signedInMember(gw.runtime, gw.app, 'draining@example.com');
      const tunnels = [await tunnel('/socket', { Cookie: cookie }), await tunnel('/live/socket')];
      const closed = Promise.all(tunnels.map((ws) => new Promise((resolve) => ws.once('close', resolve))));
      expect(gw.handle.endTunnels()).toBe(2);
      await closed;
      const late = new WebSocket(`ws://127.0.0.1:${port}/socket`, { headers: { Cookie: cookie } });
      const status = await new Promise<number>((resolve) => {
        late.once('unexpected-response', (_req, response) => resolve(response.statusCode!));
        late.once('open', () => resolve(101));
      });
      if (status === 101) late.terminate();
      expect(status).toBe(503);
    } finally {
      // Were a tunnel still open, both servers' close would wait for it.
      for (const ws of open) if (ws.readyState === WebSocket.OPEN) ws.terminate();
      await new Promise((resolve) => server.close(resolve));
      await gw.close();
      await up.close();
    }
  });
});

describe('signing key rotation', () => {
  it('publishes the next key before it signs and keeps the old one published while its tokens live', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'claimgate-keys-'));
    const pem = (kind: 'ed25519' | 'ec') => {
      const { privateKey } = kind === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
      return privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    };
    writeFileSync(join(dir, 'old.pem'), pem('ec'));
    writeFileSync(join(dir, 'new.pem'), pem('ed25519'));
    const keys = (active: 'old' | 'new') => ['old', 'new'].map((id) => ({ id, privateKeyFile: join(dir, `${id}.pem`), state: id === active ? 'active' : 'published' }));

    const sign = async (active: 'old' | 'new') => {
      const up = await startUpstream();
      const gw = await startHarness({ upstream: { url: up.url }, gateway: { jwt: { keys: keys(active), audience: 'whoami' } } });
      try {
        const invited = await invite(gw.runtime);
        const agent = newAgent(gw.app);
        await claimAll(agent, invited.claimUrl);
        const seen = JSON.parse((await agent.get('/x').expect(200)).text);
        return { token: seen.headers['x-claimgate-identity'] as string, jwks: (await request(gw.app).get('/.well-known/jwks.json')).body };
      } finally {
        await gw.close();
        await up.close();
      }
    };

    const before = await sign('old');
    expect(before.jwks.keys.map((k: { kid: string; alg: string }) => `${k.kid}:${k.alg}`).sort()).toEqual(['new:EdDSA', 'old:ES256']);
    const after = await sign('new');
    const oldHeader = await jwtVerify(before.token, createLocalJWKSet(after.jwks), { audience: 'whoami' });
    expect(oldHeader.protectedHeader).toMatchObject({ kid: 'old', alg: 'ES256' });
    const newHeader = await jwtVerify(after.token, createLocalJWKSet(before.jwks), { audience: 'whoami' });
    expect(newHeader.protectedHeader).toMatchObject({ kid: 'new', alg: 'EdDSA' });
  });
});

describe('return after sign-in', () => {
  // Attack: an open redirect through the return path (the gateway sends people to sign in with one).
  it.each(['//evil.example/x', '/\\evil.example', 'https://evil.example/', '/%2F%2Fevil.example', '%2F%2Fevil.example', '/%5Cevil.example', 'http:evil.example', '\\\\evil.example'])(
    'never leaves this host for %j',
    async (returnTo) => {
      const agent = newAgent(h.app);
      const token = csrfFrom((await agent.get('/login')).text);
      const res = await agent.post('/login').type('form').send({ _csrf: token, identifier: email, password: GOOD_PASSWORD, returnTo });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/app');
    },
  );
});
