import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { Agent, type Dispatcher } from 'undici';
import { endToEndHeaders } from './identity-headers.js';
import { UpgradeRelay } from './upgrade-relay.js';

/** Connections kept per upstream origin: a ceiling for a burst, not a pool held open. */
const CONNECTIONS_PER_ORIGIN = 512;
/** An idle upstream connection is closed after this long (unless the upstream says less in its Keep-Alive). */
const KEEP_ALIVE_MS = 30_000;

/** Where a target URL sends requests: the origin, and the path prefix put before the request's own path. */
interface Destination {
  origin: string;
  prefix: string;
}

export interface UpstreamLeg {
  /**
   * Sends the rewritten request to `target` and streams the answer back, both ways with backpressure and no body
   * buffered. `failed` is called, before anything was sent to the client, when the upstream cannot be reached or
   * does not answer in time; later failures cut the client's connection so that a truncated body never looks whole.
   */
  forward(req: IncomingMessage, res: ServerResponse, target: string, failed: (error: Error) => void): void;
  /** Sends the rewritten upgrade request (Connection and Upgrade kept) to `target` and joins the two sockets on a 101. */
  tunnel(req: IncomingMessage, socket: Duplex, head: Buffer, target: string, failed: (error: Error) => void): void;
  close(): Promise<void>;
}

/**
 * The upstream leg on undici: one pool of keep-alive connections per upstream origin (no pipelining, so a slow
 * answer never holds another request back), connect, headers and body timeouts from `upstream.timeout`.
 */
export function upstreamLeg(timeoutMs: number): UpstreamLeg {
  const agent = new Agent({
    connections: CONNECTIONS_PER_ORIGIN,
    pipelining: 1,
    keepAliveTimeout: KEEP_ALIVE_MS,
    connect: { timeout: timeoutMs },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const destinations = new Map<string, Destination>();
  const destinationOf = (target: string): Destination => {
    let known = destinations.get(target);
    if (!known) {
      const url = new URL(target);
      destinations.set(target, (known = { origin: url.origin, prefix: url.pathname.replace(/\/+$/, '') }));
    }
    return known;
  };

  return {
    forward(req, res, target, failed) {
      const { origin, prefix } = destinationOf(target);
      const headers = req.headers;
      // Framing is undici's to write: a body it streams as it arrives, with the client's Content-Length if it sent
      // one (Node has checked the body against it), chunked otherwise. Expect was answered by Node already.
      const hasBody = headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0');
      delete headers['transfer-encoding'];
      delete headers.expect;
      const options: Dispatcher.DispatchOptions = {
        origin,
        path: prefix + (req.url ?? '/'),
        method: req.method ?? 'GET',
        headers,
        body: hasBody ? req : null,
      };
      agent.dispatch(options, new Relay(res, failed));
    },
    tunnel(req, socket, head, target, failed) {
      const { origin, prefix } = destinationOf(target);
      // undici writes Connection and Upgrade itself, from `upgrade`; the rest of the rewritten headers go as they are.
      const { connection: _connection, upgrade, ...headers } = req.headers;
      agent.dispatch({
        origin,
        path: prefix + (req.url ?? '/'),
        method: req.method ?? 'GET',
        headers,
        upgrade: typeof upgrade === 'string' ? upgrade : 'websocket',
        body: null,
      }, new UpgradeRelay(socket, head, failed));
    },
    close: () => agent.close(),
  };
}

/** Carries one upstream answer to the client: status, end-to-end headers, then the body at the client's pace. */
class Relay implements Dispatcher.DispatchHandler {
  private controller?: Dispatcher.DispatchController;

  constructor(private readonly res: ServerResponse, private readonly failed: (error: Error) => void) {
    // A client that goes away stops the upstream request too (and gives its connection back to the pool).
    res.once('close', () => {
      if (!res.writableFinished) this.controller?.abort(new Error('client closed the connection'));
    });
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.res.destroyed) controller.abort(new Error('client closed the connection'));
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders, statusMessage?: string): void {
    // An informational answer (103 Early Hints) precedes the real one: the client waits for the real one.
    if (statusCode < 200) return;
    this.res.writeHead(statusCode, statusMessage || undefined, endToEndHeaders(headers));
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.res.write(chunk)) return;
    // The client reads slower than the upstream writes: the upstream waits (most answers never get here).
    controller.pause();
    this.res.once('drain', () => controller.resume());
  }

  onResponseEnd(): void {
    this.res.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.res.destroyed) return;
    if (!this.res.headersSent) this.failed(error);
    else this.res.destroy();
  }
}
