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
  /** A worker whose channel closed: connections still waiting to be sent to it go to the others. */
  lose(worker: Worker): void;
  /** One of the worker's connections closed. */
  closed(worker: Worker): void;
  listen(port: number, listening: (port: number) => void, failed: (error: NodeJS.ErrnoException) => void): void;
  /** Stops accepting. */
  close(): void;
}

/**
 * The primary's side of the hand-off: accepts connections on the port and sends each to the worker holding the
 * fewest. A connection waits in `queued` until it is written to the worker's channel (node sends one at a time); it
 * is then closed here, the worker's copy keeping it open, so that a worker dying before it reads one takes that
 * connection down rather than leaving it open and unanswered in the primary. Those not yet written go to another
 * worker: nobody has read a byte of them.
 */
export function dispatchConnections(logger: Logger): ConnectionDispatch {
  const balancer = new LeastConnections<Worker>();
  const queued = new Map<Worker, Set<Socket>>();
  let listener: Server | undefined;

  const handOff = (socket: Socket): void => {
    if (socket.destroyed) return;
    const worker = balancer.take();
    if (!worker) return void socket.destroy();
    let waiting = queued.get(worker);
    if (!waiting) queued.set(worker, (waiting = new Set()));
    waiting.add(socket);
    const pending = waiting;
    worker.send({ type: CONNECTION }, socket, { keepOpen: true }, (error: Error | null) => {
      // Already given to another worker when this one was lost.
      if (!pending.delete(socket)) return;
      if (!error) return void socket.destroy();
      lose(worker);
      handOff(socket);
    });
  };

  const lose = (worker: Worker): void => {
    balancer.remove(worker);
    const waiting = queued.get(worker);
    queued.delete(worker);
    for (const socket of waiting ?? []) handOff(socket);
  };

  return {
    add: (worker) => balancer.add(worker),
    drain(worker) {
      balancer.remove(worker);
      if (worker.isConnected()) worker.send({ type: NO_MORE }, (error: Error | null) => error && lose(worker));
    },
    lose,
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
