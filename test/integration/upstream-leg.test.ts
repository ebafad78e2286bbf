import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { signedInMember } from '../support/claim-walk.js';
import { startHarness, type Harness } from '../support/harness.js';

/** An upstream whose every answer the test writes itself; it records what arrived and when a request was cut off. */
let answer: (req: IncomingMessage, res: ServerResponse) => void;
const aborted: string[] = [];
let upstream: Server;
let h: Harness;
let gateway: Server;
let port: number;
let cookie: string;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    res.once('close', () => {
      if (!res.writableFinished) aborted.push(req.url!);
    });
    answer(req, res);
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  h = await startHarness({ upstream: { url: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`, timeout: '400ms' } });
  gateway = createServer(h.handle.handler).listen(0, '127.0.0.1');
  gateway.on('upgrade', h.handle.upgrade);
  await new Promise((resolve) => gateway.once('listening', resolve));
  port = (gateway.address() as AddressInfo).port;
  ({ cookie } = await signedInMember(h.runtime, h.app));
});
afterAll(async () => {
  gateway.closeAllConnections();
  await new Promise((resolve) => gateway.close(resolve));
  await h.close();
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
});

/** Sends one request over a fresh socket and returns the raw bytes of the answer (the connection is closed after). */
function rawExchange(head: string, body = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
    socket.write(`${head}Host: claimgate.test\r\nCookie: ${cookie}\r\nAccept: text/html\r\nConnection: close\r\n\r\n${body}`);
  });
}

describe('the upstream leg', () => {
  it('passes repeated headers and every Set-Cookie through, and drops the upstream\'s hop-by-hop headers', async () => {
    answer = (_req, res) => {
      res.writeHead(200, [
        ['Set-Cookie', 'a=1; Path=/'], ['Set-Cookie', 'b=2; Path=/'], ['X-Many', 'one'], ['X-Many', 'two'],
        ['Connection', 'X-Upstream-Hop'], ['X-Upstream-Hop', 'secret'], ['Keep-Alive', 'timeout=5'], ['Content-Length', '2'],
      ].flat());
      res.end('ok');
    };
    const text = await rawExchange('GET /cookies HTTP/1.1\r\n');
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    expect(text.match(/^set-cookie: .*$/gim)).toEqual(['set-cookie: a=1; Path=/', 'set-cookie: b=2; Path=/']);
    expect(text.match(/^x-many: .*$/gim)).toEqual(['x-many: one', 'x-many: two']);
    expect(text).not.toMatch(/x-upstream-hop|keep-alive: timeout/i);
    expect(text.endsWith('\r\n\r\nok')).toBe(true);
  });

  it('keeps Content-Length framing, and chunks a body the upstream sent without a length', async () => {
    answer = (req, res) => {
      if (req.url === '/length') return res.writeHead(200, { 'Content-Length': '5' }).end('fixed');
      res.writeHead(200);
      res.write('stre');
      res.end('amed');
    };
    const fixed = await rawExchange('GET /length HTTP/1.1\r\n');
    expect(fixed).toMatch(/^content-length: 5$/im);
    expect(fixed).not.toMatch(/transfer-encoding/i);
    const streamed = await rawExchange('GET /chunks HTTP/1.1\r\n');
    expect(streamed).toMatch(/^transfer-encoding: chunked$/im);
    expect(streamed).toContain('\r\n\r\n4\r\nstre\r\n4\r\named\r\n0\r\n\r\n');
  });

  it('answers with the upstream\'s final response after an informational one (103 Early Hints)', async () => {
    answer = (_req, res) => {
      res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
      res.writeHead(200, { 'Content-Length': '5' }).end('final');
    };
    const text = await rawExchange('GET /hints HTTP/1.1\r\n');
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    expect(text.endsWith('\r\n\r\nfinal')).toBe(true);
  });

  it('sends no body after HEAD, 204 or 304, whatever the upstream wrote', async () => {
    answer = (req, res) => {
      if (req.url === '/204') return res.writeHead(204).end();
      if (req.url === '/304') return res.writeHead(304, { ETag: '"v1"' }).end();
      res.writeHead(200, { 'Content-Length': '11' }).end(req.method === 'HEAD' ? undefined : 'hello world');
    };
    const head = await rawExchange('HEAD /page HTTP/1.1\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 200 [\s\S]*content-length: 11\r\n[\s\S]*\r\n\r\n$/i);
    expect(await rawExchange('GET /204 HTTP/1.1\r\n')).toMatch(/^HTTP\/1\.1 204 [\s\S]*\r\n\r\n$/);
    const notModified = await rawExchange('GET /304 HTTP/1.1\r\n');
    expect(notModified).toMatch(/^HTTP\/1\.1 304 [\s\S]*etag: "v1"[\s\S]*\r\n\r\n$/i);
    expect(notModified).not.toMatch(/transfer-encoding|content-length/i);
  });

  // A body that has fully arrived by the time the upstream request starts goes with its exact length, otherwise chunked.
  it('streams a chunked request body to the upstream, framed by length or chunks, never both', async () => {
    answer = (req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => res.end(JSON.stringify({ body, chunked: req.headers['transfer-encoding'], length: req.headers['content-length'] })));
    };
    const text = await rawExchange('POST /upload HTTP/1.1\r\nTransfer-Encoding: chunked\r\n', '5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n');
    const seen = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4).replace(/^[0-9a-f]+\r\n|\r\n0\r\n\r\n$/g, '')) as { body: string; chunked?: string; length?: string };
    expect(seen.body).toBe('hello world');
    const framing = [seen.chunked, seen.length].filter((value) => value !== undefined);
    expect(framing).toHaveLength(1);
    expect(['chunked', '11']).toContain(framing[0]);
  });

  // Attack: slow-loris against the upstream through the gateway: a client that leaves must not keep its upstream
  // request (and a pool connection) busy.
  it('a client that goes away ends the upstream request', async () => {
    let started!: () => void;
    const upstreamStarted = new Promise<void>((resolve) => (started = resolve));
    answer = (_req, res) => {
      res.writeHead(200);
      res.write('first part');
      started();
    };
    const client = httpRequest({ host: '127.0.0.1', port, path: '/slow', headers: { Cookie: cookie, Accept: 'text/html' } });
    client.on('error', () => undefined);
    client.end();
    await upstreamStarted;
    client.destroy();
    while (!aborted.includes('/slow')) await new Promise((resolve) => setImmediate(resolve));
    expect(aborted).toContain('/slow');
  });

  // Attack: memory exhaustion by a client that asks for a large answer and reads none of it: without backpressure the
  // gateway would read the whole answer from the upstream into memory, for as many such clients as it can take.
  it('a client that reads nothing holds the upstream back: the gateway keeps no more than socket buffers', async () => {
    const OFFERED = 512 * 1024 * 1024;
    const chunk = Buffer.alloc(256 * 1024, 'x');
    let written = 0;
    let stalled!: () => void;
    const upstreamStalled = new Promise<void>((resolve) => (stalled = resolve));
    answer = (_req, res) => {
      res.writeHead(200, { 'Content-Length': String(OFFERED) });
      let quiet: NodeJS.Timeout | undefined;
      const pump = () => {
        clearTimeout(quiet);
        while (written < OFFERED) {
          written += chunk.length;
          if (!res.write(chunk)) {
            // Settled once the upstream has waited half a second for a drain that does not come.
            quiet = setTimeout(stalled, 500);
            return void res.once('drain', pump);
          }
        }
        stalled();
      };
      res.once('close', () => clearTimeout(quiet));
      pump();
    };
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.pause();
    socket.write(`GET /large HTTP/1.1\r\nHost: claimgate.test\r\nCookie: ${cookie}\r\nAccept: text/html\r\n\r\n`);
    await upstreamStalled;
    socket.destroy();
    // Kernel buffers on the two loopback legs can take tens of MB; the whole answer is 512 MB.
    expect(written).toBeLessThan(OFFERED / 4);
    while (!aborted.includes('/large')) await new Promise((resolve) => setImmediate(resolve));
  });

  it('a client that pauses longer than upstream.timeout, then reads on, gets the whole answer', async () => {
    const SIZE = 32 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 'y');
    let held!: () => void;
    const upstreamHeld = new Promise<void>((resolve) => (held = resolve));
    answer = (_req, res) => {
      res.writeHead(200, { 'Content-Length': String(SIZE) });
      let written = 0;
      const pump = () => {
        while (written < SIZE) {
          written += chunk.length;
          if (!res.write(chunk)) {
            held();
            return void res.once('drain', pump);
          }
        }
        res.end();
        held();
      };
      pump();
    };
    const socket = connect(port, '127.0.0.1');
    socket.pause();
    socket.write(`GET /paused HTTP/1.1\r\nHost: claimgate.test\r\nCookie: ${cookie}\r\nAccept: text/html\r\nConnection: close\r\n\r\n`);
    await upstreamHeld;
    // Longer than upstream.timeout (400 ms here): the upstream waiting on the client is not an upstream that hangs.
    await new Promise((resolve) => setTimeout(resolve, 600));
    let received = 0;
    socket.on('data', (data: Buffer) => (received += data.length));
    await new Promise<void>((resolve, reject) => socket.once('end', resolve).once('error', reject).resume());
    expect(received).toBeGreaterThan(SIZE);
    expect(received).toBeLessThan(SIZE + 2048);
  });

  it('passes on an upstream\'s refusal of a WebSocket upgrade as it was sent, then closes', async () => {
    answer = (req, res) => {
      res.writeHead(403, { 'Content-Type': 'text/plain', 'X-Refused': String(req.headers.upgrade) });
      res.write('no socket ');
      res.end('for you');
    };
    const socket = connect(port, '127.0.0.1');
    const text = await new Promise<string>((resolve, reject) => {
      let received = '';
      socket.on('data', (chunk) => (received += chunk.toString('latin1')));
      socket.on('close', () => resolve(received));
      socket.on('error', reject);
      socket.write(`GET /socket HTTP/1.1\r\nHost: claimgate.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${Buffer.alloc(16, 2).toString('base64')}\r\nSec-WebSocket-Version: 13\r\nCookie: ${cookie}\r\n\r\n`);
    });
    expect(text).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(text).toMatch(/^x-refused: websocket$/im);
    expect(text).not.toMatch(/transfer-encoding/i);
    expect(text.endsWith('\r\n\r\nno socket for you')).toBe(true);
  });

  it('answers 502 upstream_unavailable when the upstream does not answer within upstream.timeout', async () => {
    answer = () => undefined;
    const text = await rawExchange('GET /silent HTTP/1.1\r\n');
    expect(text).toMatch(/^HTTP\/1\.1 502 /);
    expect(text).toContain('upstream_unavailable');
  });
});
