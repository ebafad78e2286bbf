import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONNECTION, CONNECTION_CLOSED, NO_MORE, PING, PONG, TAKEN, WORKER_DRAINING, WORKER_READY, isMessage } from './handoff.js';

function tellPrimary(type: typeof TAKEN | typeof CONNECTION_CLOSED | typeof WORKER_READY | typeof WORKER_DRAINING | typeof PONG, id?: number): void {
  if (process.connected) process.send!({ type, id });
}

export interface HandedConnections {
  /**
   * Tells the primary this worker takes no more, then settles once the primary has sent the last connection on its
   * way here and every connection handed over has closed.
   */
  drained(): Promise<void>;
}

/**
 * A worker's side of the hand-off: serves the connections the primary accepts and hands over, and tells it when each
 * one closes. The HTTP server also listens, on a Unix socket that nothing can connect to (its file is removed as soon
 * as it listens): Node keeps its connection bookkeeping (header and request timeouts, closing idle connections on
 * drain) for a listening server only, and handed connections then get exactly what accepted ones would.
 */
export function serveHandedConnections(server: Server, ready: () => void): HandedConnections {
  // Closing the server waits only for connections it accepted itself: these are counted here.
  const open = new Set<Socket>();
  let settle: (() => void) | undefined;
  let lastSent = false;
  const check = () => {
    if (lastSent && !open.size) settle?.();
  };
  process.on('message', (message: unknown, handle: unknown) => {
    if (isMessage(message, PING)) return tellPrimary(PONG);
    if (isMessage(message, NO_MORE)) {
      lastSent = true;
      return check();
    }
    if (!isMessage(message, CONNECTION) || !handle) return;
    // Said before a byte is read: until then the primary may still give the connection to another worker.
    tellPrimary(TAKEN, message.id);
    const socket = handle as Socket;
    open.add(socket);
    socket.once('close', () => {
      open.delete(socket);
      tellPrimary(CONNECTION_CLOSED);
      check();
    });
    server.emit('connection', socket);
    socket.resume();
  });
  // Without the primary nothing more can arrive.
  process.once('disconnect', () => {
    lastSent = true;
    check();
  });
  const dir = mkdtempSync(join(tmpdir(), 'claimgate-'));
  server.listen({ path: join(dir, 'worker.sock'), exclusive: true }, () => {
    rmSync(dir, { recursive: true, force: true });
    ready();
    tellPrimary(WORKER_READY);
  });
  return {
    drained() {
      const done = new Promise<void>((resolve) => (settle = resolve));
      if (!process.connected) lastSent = true;
      else tellPrimary(WORKER_DRAINING);
      check();
      return done;
    },
  };
}
