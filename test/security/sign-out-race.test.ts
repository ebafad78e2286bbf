import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Request } from 'express';
import type session from 'express-session';
import { markGeneratedSessions } from '../../src/session/new-sessions.js';
import { StoreSessionStore } from '../../src/session/store-session-store.js';
import { GOOD_PASSWORD, invite } from '../support/claim-walk.js';
import { startHarness, type Harness } from '../support/harness.js';
import { claimAcross, HttpBrowser } from '../support/http-browser.js';

let h: Harness;
let server: Server;
let base: string;
let port: number;
const ADMIN = 'admin@example.com';

beforeAll(async () => {
  h = await startHarness();
  server = createServer(h.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  const invited = await invite(h.runtime, ADMIN);
  await claimAcross(new HttpBrowser(), [base], new URL(invited.claimUrl).pathname, GOOD_PASSWORD);
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await h.close();
});

async function signedInAdmin() {
  const browser = new HttpBrowser();
  expect((await browser.submit(base, '/login', { identifier: ADMIN, password: GOOD_PASSWORD })).status).toBe(303);
  // The admin has seen the import form: the session holds a CSRF token, as a stolen working session would.
  expect((await browser.request(base, '/admin/import')).status).toBe(200);
  return browser;
}

/** A request whose body arrives in two parts: the second only when `finish` is called. Answers the status line. */
function slowRequest(head: string, firstPart: string, secondPart: string): { finish(): Promise<string>; answered(): Promise<string> } {
  const socket: Socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  let answer = '';
  let firstAnswer: (line: string) => void = () => undefined;
  const answeredEarly = new Promise<string>((resolve) => (firstAnswer = resolve));
  socket.on('data', (chunk: Buffer) => {
    answer += chunk.toString('latin1');
    firstAnswer(answer.split('\r\n')[0] ?? '');
  });
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.write(`${head}Content-Length: ${Buffer.byteLength(firstPart + secondPart)}\r\nConnection: close\r\n\r\n${firstPart}`);
  return {
    /** The status line, as soon as the server answers (the rest of the body still unsent). */
    answered: () => answeredEarly,
    async finish() {
      // The rest of the body, with the client's side left open as a browser leaves it (a half-close would make Node
      // abort the request before its answer); `Connection: close` has the server close the socket once it answered.
      if (!socket.destroyed) socket.write(secondPart);
      await closed;
      return answer.split('\r\n')[0] ?? '';
    },
  };
}
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('sign-out and requests in flight', () => {
  // Attack: a thief with a stolen cookie holds a slow multipart POST open (no CSRF token), the admin signs out, the
  // thief finishes the body: the end of that request re-saved the session and the stolen cookie worked again.
  it('sign-out undone by a slow multipart POST still in flight: the session stays destroyed on the pages and the gateway', async () => {
    const admin = await signedInAdmin();
    const stolen = admin.cookieHeader();
    // Past the minute after which a request moves the session's idle clock (and so writes the session).
    h.advance(2 * 60 * 1000);
    const boundary = 'xBOUNDARYx';
    const slow = slowRequest(
      `POST /admin/import HTTP/1.1\r\nHost: claimgate.test\r\nCookie: ${stolen}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\n`,
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\nContent-Type: text/csv\r\n\r\nemail,name\r\n`,
      `x@example.com,X\r\n--${boundary}--\r\n`,
    );
    await pause(300);
    expect((await admin.submit(base, '/logout', {}, '/')).status).toBe(303);
    const status = await slow.finish();
    expect(status).toMatch(/^HTTP\/1\.1 4\d\d/);
    const page = await fetch(`${base}/admin/import`, { headers: { Cookie: stolen, Accept: 'text/html' }, redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toMatch(/^\/login/);
    expect((await fetch(`${base}/auth/verify`, { headers: { Cookie: stolen } })).status).toBe(401);
  });

  // Attack: the same race on any other route or slower step: whatever keeps a request open, its late write is refused.
  it('late write of a destroyed session from any request: dropped by the store; only a session generated in the request is created', async () => {
    const store = new StoreSessionStore(h.runtime.store, 60 * 60 * 1000);
    const call = <T>(work: (done: (error?: unknown, value?: T) => void) => void) =>
      new Promise<T | undefined>((resolve, reject) => work((error, value) => (error ? reject(error) : resolve(value))));
    const sessionData = (memberId: string) => ({ cookie: { maxAge: 60 * 60 * 1000 }, memberId }) as unknown as session.SessionData;

    // What express-session does for a first visit or a regenerate: generate, then save under the new id.
    const sid = `race-${Date.now()}`;
    (store as unknown as { generate(req: Request): void }).generate = (req) => {
      req.sessionID = sid;
      req.session = sessionData('member-1') as Request['session'];
    };
    markGeneratedSessions(store);
    const req = {} as Request;
    (store as unknown as { generate(req: Request): void }).generate(req);
    await call((done) => store.set(sid, req.session as unknown as session.SessionData, done));
    expect(await call<session.SessionData | null>((done) => store.get(sid, done))).toMatchObject({ memberId: 'member-1' });

    // Signed out elsewhere; the request that read the session before then saves it at its end.
    await call((done) => store.destroy(sid, done));
    await call((done) => store.set(sid, req.session as unknown as session.SessionData, done));
    expect(await call((done) => store.get(sid, done))).toBeNull();

    // A session read from the store (never generated here) that is gone is not written either.
    await call((done) => store.set(`never-${sid}`, sessionData('member-2'), done));
    expect(await call((done) => store.get(`never-${sid}`, done))).toBeNull();
  });

  const boundary = 'xBOUNDARYx';
  const multipartHead = (cookie: string, extra = '') =>
    `POST /admin/import HTTP/1.1\r\nHost: claimgate.test\r\nCookie: ${cookie}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\n${extra}`;
  const firstPart = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\nContent-Type: text/csv\r\n\r\nemail,name\r\n`;
  const lastPart = `x@example.com,X\r\n--${boundary}--\r\n`;
  const withinSeconds = async <T>(promise: Promise<T>, seconds: number) => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${seconds} s`)), seconds * 1000)));
    try {
      return await Promise.race([promise, late]);
    } finally {
      // Left running, the timer would keep Jest waiting after the last test.
      clearTimeout(timer);
    }
  };

  // Attack: holding a multipart body open (the tool of the race above) from a session no form was ever shown to.
  it('multipart body from a session never given a CSRF token: 403 before the body is read', async () => {
    const browser = new HttpBrowser();
    expect((await browser.submit(base, '/login', { identifier: ADMIN, password: GOOD_PASSWORD })).status).toBe(303);
    const slow = slowRequest(multipartHead(browser.cookieHeader()), firstPart, lastPart);
    try {
      expect(await withinSeconds(slow.answered(), 5)).toMatch(/^HTTP\/1\.1 403/);
    } finally {
      await slow.finish();
    }
  });

  // Attack: the same with a token in the header that is not the session's.
  it('multipart body with a wrong CSRF header: 403 before the body is read', async () => {
    const admin = await signedInAdmin();
    const slow = slowRequest(multipartHead(admin.cookieHeader(), `X-CSRF-Token: ${'0'.repeat(64)}\r\n`), firstPart, lastPart);
    try {
      expect(await withinSeconds(slow.answered(), 5)).toMatch(/^HTTP\/1\.1 403/);
    } finally {
      await slow.finish();
    }
  });
});
