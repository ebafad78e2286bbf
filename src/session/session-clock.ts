import type { Config } from '../config/schema.js';

/** How stale `lastSeenAt` may get before a request writes it again; keeps steady traffic from writing every time. */
export const IDLE_REFRESH_MS = 60_000;

export type SessionVerdict = 'fresh' | 'refresh' | 'idle_timeout' | 'absolute_timeout';

/**
 * The one reading of a signed-in session's clocks, for the Express pages and the gateway's fast path alike:
 * ended by the absolute or the idle timeout, due for an idle-clock write, or fresh.
 */
export function sessionVerdict(data: { authenticatedAt?: number; lastSeenAt?: number }, now: number, limits: Config['session']): SessionVerdict {
  if (now - (data.authenticatedAt ?? 0) > limits.absoluteTimeout) return 'absolute_timeout';
  if (now - (data.lastSeenAt ?? data.authenticatedAt ?? 0) > limits.idleTimeout) return 'idle_timeout';
  return now - (data.lastSeenAt ?? 0) > IDLE_REFRESH_MS ? 'refresh' : 'fresh';
}
