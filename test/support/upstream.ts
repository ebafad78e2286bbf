import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

export interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  bodySha256: string;
  bodyLength: number;
}

/**
 * A small application to put behind the gateway: it echoes what it received as JSON, streams a large body at
 * /big, and echoes WebSocket messages.
 */
export async function startUpstream(): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const hash = createHash('sha256');
    let length = 0;
    req.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      length += chunk.length;
    });
    req.on('end', () => {
      const record: Seen = { method: req.method!, url: req.url!, headers: req.headers, rawHeaders: req.rawHeaders, bodySha256: hash.digest('hex'), bodyLength: length };
      seen.push(record);
      if (req.url?.startsWith('/big')) {
        const size = Number(new URL(req.url, 'http://x').searchParams.get('mb') ?? '8') * 1024 * 1024;
        res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(size) });
        const chunk = Buffer.alloc(64 * 1024, 7);
        let sent = 0;
        const pump = () => {
          while (sent < size) {
            sent += chunk.length;
            if (!res.write(chunk)) return res.once('drain', pump);
          }
          res.end();
        };
        return pump();
      }
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Security-Policy': "default-src 'self' 'unsafe-inline'" });
      res.end(JSON.stringify(record));
    });
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket, req) => {
    socket.send(JSON.stringify({ hello: req.headers['x-claimgate-user'] ?? null }));
    socket.on('message', (data) => socket.send(`echo:${data.toString()}`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise((resolve) => {
      wss.close();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
