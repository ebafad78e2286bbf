import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { AppError } from '../http/errors.js';
import { requestIdFor } from '../http/request-id.js';
import type { Runtime } from '../runtime.js';
import type { SessionReader } from '../session/session-reader.js';
import { sessionCookieName } from '../session/session.js';
import { decide, isApiRequest, isGateRefusal, refusalCode, type GateRefusal } from './gate.js';
import { NEW_PASSWORD_PATH } from '../http/require-member.js';
import { forwardedHeaders } from './forwarded-headers.js';
import { clientHeaderStripper } from './client-headers.js';
import { stripHopByHopHeaders, stripSessionCookie, writeIdentityHeaders } from './identity-headers.js';
import type { IdentityTokens } from './identity-token.js';
import { sendPlainError } from './plain-error.js';
import { upstreamLeg } from './upstream-leg.js';
import { Tunnels, type TunnelOwner } from './tunnels.js';
import { watchTunnels } from './tunnel-watch.js';
import { gatewayPolicy, targetPath } from './policy/gateway-policy.js';
import type { RefusalReason } from './policy/route-table.js';

/** Where a request goes (and whose session it carries), or why it goes nowhere. */
type Admission =
  | { target: string; owner?: TunnelOwner }
  | { refused: GateRefusal | 'no_upstream' }
  | { refused: RefusalReason; route: string };

export interface Gateway {
  /** Every request for a path claimgate does not own, straight from the HTTP server: no framework on this path. */
  web(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** HTTP upgrades (WebSocket) to the upstream. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void>;
  /**
   * Closes every open WebSocket tunnel and refuses new ones (503), for a drain: a tunnel has no request to finish,
   * so the server would otherwise wait for it until the grace period ran out. Answers how many were closed.
   */
  endTunnels(): number;
  close(): Promise<void>;
}

export function createGateway(runtime: Runtime, tokens: IdentityTokens, sessions: SessionReader): Gateway | undefined {
  const { config, logger } = runtime;
  const policy = gatewayPolicy(runtime);
  const target = config.upstream.url;
  if (!target && !policy.table.routes.length) return undefined;
  // Requests and WebSocket upgrades go to the upstream over undici's keep-alive pools.
  const leg = upstreamLeg(config.upstream.timeout);
  // Forwarding headers are written by `forwarded`, from what claimgate knows, not appended to what the client sent.
  const forwarded = forwardedHeaders(config);
  const stripClientHeaders = clientHeaderStripper(config.upstream.keepClientHeaders);
  const cookieName = sessionCookieName(config.baseUrl.startsWith('https://'));
  const publicOrigin = new URL(config.baseUrl).origin;
  // Every open WebSocket tunnel: the end of its session closes it on whichever replica holds it, a drain closes all.
  const tunnels = new Tunnels();
  const watch = watchTunnels(runtime, tunnels);
  let draining = false;

  /** Rewrites the request's headers for the upstream `target`: whatever the client claimed about the hop or identity goes. */
  function rewrite(req: IncomingMessage, upgrade: boolean, target: string): void {
    stripHopByHopHeaders(req.headers, upgrade);
    const chain = forwarded.chain(req);
    stripClientHeaders(req.headers);
    stripSessionCookie(req.headers, cookieName);
    forwarded.write(req, chain, target);
    req.headers['x-request-id'] = requestIdFor(req);
  }

  /**
   * Matches the route, decides, then rewrites the request for the route's upstream. A public route needs no session
   * and passes no identity; any other answers whose session it passes on, or why it does not.
   */
  async function admit(req: IncomingMessage, upgrade: boolean): Promise<Admission> {
    const path = targetPath(req);
    const route = policy.table.match(req.headers.host, path, req.method ?? 'GET');
    if (!route.upstream && !route.closed) return { refused: 'no_upstream' };
    if (route.public) {
      policy.access.count(route, 'public');
      rewrite(req, upgrade, route.upstream!);
      return { target: route.upstream! };
    }
    const session = await sessions.read(req);
    const decision = await decide(runtime, session?.data.memberId);
    if (!decision.ok) {
      if (route.closed) {
        await policy.access.refuseAnonymous(req, route, path);
        return { refused: 'no_route', route: route.key };
      }
      policy.access.count(route, 'sign_in');
      return { refused: decision.reason };
    }
    const refusal = await policy.access.check(req, route, decision.identity, path);
    if (refusal) return { refused: refusal, route: route.key };
    rewrite(req, upgrade, route.upstream!);
    writeIdentityHeaders(req.headers, decision.identity, await tokens.tokenFor(session!.sid, decision.identity));
    return { target: route.upstream!, owner: { sid: session!.sid, memberId: decision.identity.id } };
  }

  return {
    async web(req, res) {
      try {
        // A chunked body on DELETE or OPTIONS is refused: proxies and servers disagree on whether such a request has
        // a body at all, and a body one of them skips reaches the next as a request of its own.
        if ((req.method === 'DELETE' || req.method === 'OPTIONS') && req.headers['transfer-encoding']) {
          return sendPlainError(runtime, req, res, new AppError('bad_request', 'chunked body on DELETE/OPTIONS', 'Send a Content-Length with a body on DELETE or OPTIONS.'));
        }
        const admission = await admit(req, false);
        if ('target' in admission) {
          return leg.forward(req, res, admission.target, (error) => sendPlainError(runtime, req, res, new AppError('upstream_unavailable', error.message)));
        }
        const outcome = admission.refused;
        if (outcome === 'no_upstream') return sendPlainError(runtime, req, res, new AppError('not_found', 'no route and no upstream.url'));
        if (!isGateRefusal(outcome)) return sendPlainError(runtime, req, res, new AppError('access_denied', `route ${'route' in admission ? admission.route : ''}: ${outcome}`));
        if (isApiRequest(req)) return sendPlainError(runtime, req, res, new AppError(refusalCode(outcome), `gateway: ${outcome}`));
        // A deactivated member's browser goes to the sign-in page too, which ends the session and says why.
        const returnTo = encodeURIComponent(req.url ?? '/');
        const to = outcome === 'terms' ? '/_claimgate/terms' : outcome === 'password' ? NEW_PASSWORD_PATH : '/login';
        res.writeHead(303, { Location: `${to}?returnTo=${returnTo}`, 'Cache-Control': 'no-store' }).end();
      } catch (error) {
        // A session store that does not answer fails closed: nobody passes (the answer is logged with its request id).
        if (!res.headersSent) sendPlainError(runtime, req, res, new AppError('service_unavailable', (error as Error).message));
      }
    },
    async upgrade(req, socket, head) {
      // Node stops watching a socket once it is upgraded: a client that resets now must not take the process down.
      socket.on('error', (error) => logger.debug({ err: { message: error.message } }, 'upgrade socket error'));
      try {
        // Cross-site WebSocket hijacking: a page on another origin must not open the member's socket.
        const origin = req.headers.origin;
        if (origin && origin !== publicOrigin) {
          socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
          return;
        }
        // Endings announced while this tunnel opens must reach it: listen first, then read the session.
        await watch.ready;
        const admission = await admit(req, true);
        if (!('target' in admission)) {
          const signIn = isGateRefusal(admission.refused);
          socket.end(`HTTP/1.1 ${signIn ? '401 Unauthorized' : admission.refused === 'no_upstream' ? '404 Not Found' : '403 Forbidden'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
          return;
        }
        // The process began to drain while this upgrade was admitted: the browser reconnects to another one.
        if (draining) {
          socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 5\r\nContent-Length: 0\r\n\r\n');
          return;
        }
        tunnels.add(socket, admission.owner);
        leg.tunnel(req, socket, head, admission.target, (error) => {
          logger.warn({ err: { message: error.message }, requestId: requestIdFor(req) }, 'upgrade to the upstream failed');
          socket.end('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        });
      } catch (error) {
        logger.error({ err: error }, 'upgrade failed');
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      }
    },
    endTunnels() {
      draining = true;
      return tunnels.endAll();
    },
    close: () => {
      watch.stop();
      return leg.close();
    },
  };
}
