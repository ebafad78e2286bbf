import type { Runtime } from '../runtime.js';
import { sessionVerdict } from '../session/session-clock.js';
import { decide } from './gate.js';
import { listenForSessionEndings } from './session-endings.js';
import type { TunnelOwner, Tunnels } from './tunnels.js';

/** Why a tunnel's session no longer carries it, or undefined while it still does. */
async function endReason(runtime: Runtime, owner: TunnelOwner): Promise<string | undefined> {
  const raw = await runtime.store.get('sessions', owner.sid);
  const data = raw ? (JSON.parse(raw) as { memberId?: string; authenticatedAt?: number; lastSeenAt?: number }) : undefined;
  if (!data || data.memberId !== owner.memberId) return 'session_ended';
  const verdict = sessionVerdict(data, runtime.now().getTime(), runtime.config.session);
  if (verdict === 'idle_timeout' || verdict === 'absolute_timeout') return verdict;
  const decision = await decide(runtime, owner.memberId);
  return decision.ok ? undefined : `member_${decision.reason}`;
}

export interface TunnelWatch {
  /** Settles once endings announced by other replicas reach this one. */
  ready: Promise<void>;
  stop(): void;
}

/**
 * Keeps a replica's tunnels tied to their sessions: endings announced over Redis close them at once; a re-check
 * every `gateway.tunnelRecheck`, reading only the sessions with open tunnels, closes those that timed out, were
 * destroyed, or whose member may no longer pass. A re-check that cannot read the store is logged and tried again.
 */
export function watchTunnels(runtime: Runtime, tunnels: Tunnels): TunnelWatch {
  const { logger } = runtime;
  const close = (owner: TunnelOwner, reason: string) => {
    const count = tunnels.endSession(owner.sid);
    if (count) logger.info({ memberId: owner.memberId, reason, tunnels: count }, 'websocket tunnels closed: their session ended');
  };

  let checking = false;
  const recheck = async () => {
    const owners = tunnels.owners();
    await Promise.all(owners.map(async (owner) => {
      const reason = await endReason(runtime, owner);
      if (reason) close(owner, reason);
    }));
  };
  const timer = setInterval(() => {
    if (checking || !tunnels.sessions) return;
    checking = true;
    recheck()
      .catch((error: Error) => logger.error({ err: { message: error.message } }, 'tunnel re-check failed'))
      .finally(() => (checking = false));
  }, runtime.config.gateway.tunnelRecheck);
  timer.unref();

  const listener = listenForSessionEndings(runtime, (ending) => {
    if ('sid' in ending) {
      const owner = tunnels.owners().find((candidate) => candidate.sid === ending.sid);
      if (owner) close(owner, 'session_ended');
      return;
    }
    runtime.identities.forget(ending.memberId);
    const count = ending.sids ? ending.sids.reduce((closed, sid) => closed + tunnels.endSession(sid), 0) : tunnels.endMember(ending.memberId);
    if (count) logger.info({ memberId: ending.memberId, reason: 'member_ended', tunnels: count }, 'websocket tunnels closed: their session ended');
  });

  return {
    ready: listener?.ready ?? Promise.resolve(),
    stop() {
      clearInterval(timer);
      listener?.stop();
      tunnels.endAll();
    },
  };
}
