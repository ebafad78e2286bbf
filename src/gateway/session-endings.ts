import type { Runtime } from '../runtime.js';

/**
 * A session that ended, or sessions of one member that ended: `sids` when only those ended (sign out everywhere
 * else), none when every one did (deactivation). Either way the member's cached identity is stale.
 */
export type SessionEnding = { sid: string } | { memberId: string; sids?: string[] };

function channel(runtime: Runtime): string {
  return `${runtime.config.redis.prefix}session-endings`;
}

/**
 * Tells every replica that a session or a member's sessions ended, so their open WebSocket tunnels close at once.
 * Without Redis there is nobody to tell: each replica finds the ending in the store within `gateway.tunnelRecheck`,
 * which also stays the backstop when a publish fails.
 */
export async function announceSessionEnding(runtime: Runtime, ending: SessionEnding): Promise<void> {
  if (!runtime.redis) return;
  await runtime.redis.publish(channel(runtime), JSON.stringify(ending)).catch((error: Error) => {
    runtime.logger.error({ err: { message: error.message } }, 'could not announce a session ending');
  });
}

function parseEnding(message: string): SessionEnding | undefined {
  try {
    const value = JSON.parse(message) as Record<string, unknown>;
    if (typeof value.sid === 'string') return { sid: value.sid };
    if (typeof value.memberId === 'string') {
      const sids = Array.isArray(value.sids) ? value.sids.filter((sid): sid is string => typeof sid === 'string') : undefined;
      return sids ? { memberId: value.memberId, sids } : { memberId: value.memberId };
    }
  } catch {
    // Not one of ours: ignored.
  }
  return undefined;
}

export interface EndingsListener {
  /** Settles once the subscription is in place (or failed: the re-check still closes tunnels then). */
  ready: Promise<void>;
  stop(): void;
}

/** Listens for endings announced by any replica (this one included), on a connection of its own. */
export function listenForSessionEndings(runtime: Runtime, onEnding: (ending: SessionEnding) => void): EndingsListener | undefined {
  if (!runtime.redis) return undefined;
  const subscriber = runtime.redis.duplicate();
  subscriber.on('error', (error: Error) => runtime.logger.error({ err: { message: error.message } }, 'redis subscriber error'));
  const ready = subscriber
    .connect()
    .then(() =>
      subscriber.subscribe(channel(runtime), (message) => {
        const ending = parseEnding(message);
        if (ending) onEnding(ending);
      }),
    )
    .catch((error: Error) => runtime.logger.error({ err: { message: error.message } }, 'could not listen for session endings'));
  return {
    ready,
    stop() {
      // A subscriber holds no state worth a QUIT: dropping the connection lets the process exit at once.
      void ready.then(() => subscriber.destroy()).catch(() => undefined);
    },
  };
}
