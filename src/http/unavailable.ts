/** Errors of the Redis client when the session and limit store cannot be reached. */
const REDIS_DOWN = new Set([
  'ClientOfflineError', 'ClientClosedError', 'SocketClosedUnexpectedlyError', 'ConnectionTimeoutError', 'SocketTimeoutError',
  'ReconnectStrategyError', 'DisconnectsClientError', 'TimeoutError',
]);
/** Connection-level PostgreSQL SQLSTATEs (class 08, shutdown in class 57) and socket errors. */
const CONNECTION_CODES = /^(08\d{3}|57P0[1-3]|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTCONN)$/;
const CONNECTION_MESSAGES = /connection terminated|terminating connection|connection (?:is )?closed|client has encountered a connection error|timeout exceeded when trying to connect|the client is (?:closed|offline)|socket closed unexpectedly/i;

/**
 * True when an error means a backing service (database, session store) did not answer, as opposed to a bug:
 * such requests get 503 and a page saying to try again, never an anonymous pass.
 */
export function isBackendUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 4; depth++) {
    const e = current as { name?: string; code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown };
    if (e.name && REDIS_DOWN.has(e.name)) return true;
    if (typeof e.code === 'string' && CONNECTION_CODES.test(e.code)) return true;
    if (typeof e.message === 'string' && CONNECTION_MESSAGES.test(e.message)) return true;
    current = e.driverError ?? e.cause;
  }
  return false;
}
