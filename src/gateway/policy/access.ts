import type { IncomingMessage } from 'node:http';
import { boundedAudit } from '../../http/bounded-audit.js';
import { addressKey } from '../../http/client-key.js';
import { requestIdFor } from '../../http/request-id.js';
import type { TallyChild } from '../../metrics/tally.js';
import type { Runtime } from '../../runtime.js';
import type { Identity } from '../identity.js';
import { refusalFor, type CompiledRoute, type RefusalReason } from './route-table.js';

export type AccessOutcome = 'public' | 'allowed' | 'sign_in' | 'denied';

/** `access.denied` rows written per member (or address, when nobody is signed in) and window; then one summary row. */
export const ACCESS_DENIED_ROWS = 20;
export const ACCESS_DENIED_WINDOW_SECONDS = 15 * 60;

export interface AccessPolicy {
  /** undefined: the member passes; else the refusal, already counted and audited (bounded). */
  check(req: IncomingMessage, route: CompiledRoute, identity: Identity, path: string): Promise<RefusalReason | undefined>;
  /** The default route when it is closed, for a visitor who is not signed in. */
  refuseAnonymous(req: IncomingMessage, route: CompiledRoute, path: string): Promise<void>;
  count(route: CompiledRoute, outcome: AccessOutcome): void;
}

/** Applies a route's policy to a signed-in member, with the metric per route and outcome and the bounded audit row. */
export function accessPolicy(runtime: Runtime): AccessPolicy {
  const audit = boundedAudit(runtime, { name: 'access-denied', rows: ACCESS_DENIED_ROWS, windowSeconds: ACCESS_DENIED_WINDOW_SECONDS });
  // Label children are looked up once per route and outcome: an increment is then one addition.
  const counters = new Map<string, TallyChild>();
  const count = (route: CompiledRoute, outcome: AccessOutcome) => {
    const key = `${route.key}\n${outcome}`;
    let counter = counters.get(key);
    if (!counter) counters.set(key, (counter = runtime.metrics.gatewayDecisions.child({ route: route.key, outcome })));
    counter.inc();
  };
  const details = (req: IncomingMessage, route: CompiledRoute, reason: RefusalReason, path: string) => ({
    route: route.key, reason, method: req.method ?? '', path: path.slice(0, 200), requestId: requestIdFor(req),
  });
  const write = (key: string, entry: Parameters<typeof audit>[1]) => audit(key, entry).catch((error: unknown) => {
    runtime.logger.error({ err: error }, 'access.denied audit row not written');
  });
  return {
    count,
    async check(req, route, identity, path) {
      const reason = refusalFor(route, identity);
      if (!reason) {
        count(route, 'allowed');
        return undefined;
      }
      count(route, 'denied');
      await write(`member:${identity.id}`, { event: 'access.denied', outcome: 'failure', actorId: identity.id, memberId: identity.id, details: details(req, route, reason, path) });
      return reason;
    },
    async refuseAnonymous(req, route, path) {
      count(route, 'denied');
      const address = addressKey(req.socket.remoteAddress ?? 'unknown', runtime.config.rateLimits.ipv6Prefix);
      await write(`address:${address}`, { event: 'access.denied', outcome: 'failure', details: details(req, route, 'no_route', path) });
    },
  };
}
