import type { Worker } from 'node:cluster';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Logger } from '../logging/logger.js';
import { CONNECTION, NO_MORE } from './handoff.js';
import { LeastConnections } from './least-connections.js';

export interface ConnectionDispatch {
  /** A worker ready for connections. */
  add(worker: Worker): void;
  /** A worker that drains: it takes no new connection, and is told so once those already on their way reach it. */
  drain(worker: Worker): void;
  /** A worker whose channel closed: connections it had not yet taken go to the others. */
  lose(worker: Worker): void;
  /** The worker took connection `id`. */
  taken(worker: Worker, id: number): void;
  /** One of the worker's connections closed. */
  closed(worker: Worker): void;
  listen(port: number, listening: (port: number) => void, failed: (error: NodeJS.ErrnoException) => void): void;
  /** Stops accepting. */
  close(): void;
}

/**
 * The primary's side of the hand-off: accepts connections on the port and sends each to the worker holding the
 * fewest. The primary keeps its copy of a connection until the worker says it took it (node's own send callback
 * reports success even for a write that failed): a worker that dies first has read none of it, and the connection
 * goes to another worker instead of closing or hanging.
 */
export function dispatchConnections(logger: Logger): ConnectionDispatch {
  const balancer = new LeastConnections<Worker>();
  const sent = new Map<number, { socket: Socket; worker: Worker }>();
  let nextId = 0;
  let listener: Server | undefined;

  const handOff = (socket: Socket): void => {
    if (socket.destroyed) return;
    const worker = balancer.take();
    if (!worker) return void socket.destroy();
    const id = nextId++;
    sent.set(id, { socket, worker });
    worker.send({ type: CONNECTION, id }, socket, { keepOpen: true }, (error: Error | null) => {
      if (error) lose(worker);
    });
  };

  const lose = (worker: Worker): void => {
    balancer.remove(worker);
    for (const [id, entry] of [...sent]) {
      if (entry.worker !== worker) continue;
      sent.delete(id);
      handOff(entry.socket);
    }
  };

  return {
    add: (worker) => balancer.add(worker),
    drain(worker) {
      balancer.remove(worker);
      if (worker.isConnected()) worker.send({ type: NO_MORE }, (error: Error | null) => error && lose(worker));
    },
    lose,
    taken(worker, id) {
      const entry = sent.get(id);
      if (entry?.worker !== worker) return;
      sent.delete(id);
      // The worker's copy keeps the connection open: closing this one sends nothing to the client.
      entry.socket.destroy();
    },
    closed: (worker) => balancer.closed(worker),
    listen(port, listening, failed) {
      // noDelay is set on the accepted socket, so it holds in the worker too (Nagle would hold small answers back).
      listener = createServer({ pauseOnConnect: true, noDelay: true }, handOff);
      listener.once('error', failed);
      listener.listen(port, () => {
        listener!.off('error', failed);
        // A failed accept (out of memory or buffers, say) loses that connection, not the server.
        listener!.on('error', (error: Error) => logger.error({ err: { message: error.message } }, 'accepting a connection failed'));
        listening((listener!.address() as AddressInfo).port);
      });
    },
    close: () => listener?.close(),
  };
}
