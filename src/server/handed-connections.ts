import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONNECTION, CONNECTION_CLOSED, WORKER_READY, isMessage } from './handoff.js';

function tellPrimary(type: typeof CONNECTION_CLOSED | typeof WORKER_READY): void {
  if (process.connected) process.send!({ type });
}

export interface HandedConnections {
  /** Settles once every connection handed to this worker has closed. */
  drained(): Promise<void>;
}

/**
 * A worker's side of the hand-off: serves the connections the primary accepts and hands over, and tells it when each
 * one closes. The HTTP server also listens, on a Unix socket in a private directory that nothing connects to: Node
 * keeps its connection bookkeeping (header and request timeouts, closing idle connections on drain) for a listening
 * server only, and handed connections then get exactly what accepted ones would.
 */
export function serveHandedConnections(server: Server, ready: () => void): HandedConnections {
  const dir = mkdtempSync(join(tmpdir(), 'claimgate-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  // Closing the server waits only for connections it accepted itself: these are waited for here.
  const open = new Set<Socket>();
  let allClosed: (() => void) | undefined;
  process.on('message', (message: unknown, handle: unknown) => {
    if (!isMessage(message, CONNECTION) || !handle) return;
    const socket = handle as Socket;
    open.add(socket);
    socket.once('close', () => {
      open.delete(socket);
      tellPrimary(CONNECTION_CLOSED);
      if (!open.size) allClosed?.();
    });
    server.emit('connection', socket);
    socket.resume();
  });
  server.listen({ path: join(dir, 'worker.sock'), exclusive: true }, () => {
    ready();
    tellPrimary(WORKER_READY);
  });
  return {
    drained: () => (open.size ? new Promise<void>((resolve) => (allClosed = resolve)) : Promise.resolve()),
  };
}
