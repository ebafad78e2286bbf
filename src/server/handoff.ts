/** The messages between the cluster primary, which accepts connections, and the workers that serve them. */

/** Primary to worker: the connection sent with this message (and its `id`) is the worker's to serve. */
export const CONNECTION = 'claimgate:connection';
/** Worker to primary: the connection `id` arrived, before a byte of it was read. */
export const TAKEN = 'claimgate:connection-taken';
/** Primary to worker: no connection follows this message (it is queued behind any still being sent). */
export const NO_MORE = 'claimgate:no-more-connections';
/** Worker to primary: one of the connections it was given has closed. */
export const CONNECTION_CLOSED = 'claimgate:connection-closed';
/** Worker to primary: the worker is ready for connections. */
export const WORKER_READY = 'claimgate:worker-ready';
/** Worker to primary: the worker is draining and takes no new connections. */
export const WORKER_DRAINING = 'claimgate:worker-draining';
/** Primary to worker: is your event loop still turning? */
export const PING = 'claimgate:ping';
/** Worker to primary: it is (answered from the event loop, so a worker that hangs stays silent). */
export const PONG = 'claimgate:pong';

type HandOffMessage = typeof CONNECTION | typeof TAKEN | typeof NO_MORE | typeof CONNECTION_CLOSED | typeof WORKER_READY | typeof WORKER_DRAINING
  | typeof PING | typeof PONG;

export function isMessage(message: unknown, type: HandOffMessage): message is { type: HandOffMessage; id?: number } {
  return (message as { type?: unknown } | null)?.type === type;
}
