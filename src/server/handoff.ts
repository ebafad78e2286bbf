/** The messages between the cluster primary, which accepts connections, and the workers that serve them. */

/** Primary to worker: the connection sent with this message is the worker's to serve. */
export const CONNECTION = 'claimgate:connection';
/** Worker to primary: one of the connections it was given has closed. */
export const CONNECTION_CLOSED = 'claimgate:connection-closed';
/** Worker to primary: the worker is ready for connections. */
export const WORKER_READY = 'claimgate:worker-ready';

type HandOffMessage = typeof CONNECTION | typeof CONNECTION_CLOSED | typeof WORKER_READY;

export function isMessage(message: unknown, type: HandOffMessage): boolean {
  return (message as { type?: unknown } | null)?.type === type;
}
