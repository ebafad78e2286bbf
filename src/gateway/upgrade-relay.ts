import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';
import { endToEndHeaders } from './identity-headers.js';

/** The head of an HTTP/1.1 answer written straight to a socket, the header values as undici parsed them. */
function responseHead(statusCode: number, statusMessage: string | undefined, headers: IncomingHttpHeaders | OutgoingHttpHeaders): string {
  let head = `HTTP/1.1 ${statusCode} ${statusMessage || (statusCode === 101 ? 'Switching Protocols' : '')}\r\n`;
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    for (const each of Array.isArray(value) ? value : [value]) head += `${name}: ${each}\r\n`;
  }
  return `${head}\r\n`;
}

/**
 * Carries one upgrade (WebSocket) between the client's socket and the upstream: a 101 joins the two sockets, byte
 * for byte both ways, until either closes; any other answer (the upstream refusing the upgrade) reaches the client
 * as it was sent, then the connection closes.
 */
export class UpgradeRelay implements Dispatcher.DispatchHandler {
  private controller?: Dispatcher.DispatchController;
  private answered = false;

  constructor(
    private readonly socket: Duplex,
    private readonly head: Buffer,
    private readonly failed: (error: Error) => void,
  ) {
    socket.once('close', () => {
      if (!this.answered) this.controller?.abort(new Error('client closed the connection'));
    });
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.socket.destroyed) controller.abort(new Error('client closed the connection'));
  }

  onRequestUpgrade(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders, upstream: Duplex): void {
    this.answered = true;
    const client = this.socket;
    if (client.destroyed) return void upstream.destroy();
    // Either side closing or failing ends the other: a tunnel never lingers half-open.
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
    client.once('close', () => upstream.destroy());
    client.write(responseHead(statusCode, 'Switching Protocols', headers));
    if (this.head.length) upstream.write(this.head);
    upstream.pipe(client);
    client.pipe(upstream);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders, statusMessage?: string): void {
    if (statusCode < 200) return;
    this.answered = true;
    // undici hands over the body unchunked: it goes as it is, delimited by its length or by the connection closing.
    this.socket.write(responseHead(statusCode, statusMessage, { ...endToEndHeaders(headers), connection: 'close' }));
    this.socket.on('drain', () => controller.resume());
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.socket.write(chunk)) controller.pause();
  }

  onResponseEnd(): void {
    this.socket.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.socket.destroyed) return;
    if (!this.answered) this.failed(error);
    else this.socket.destroy();
  }
}
