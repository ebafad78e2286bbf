import { Agent, type IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { createProxyServer } from 'http-proxy-3';
import { AppError } from '../http/errors.js';
import { sendError } from '../http/error-handler.js';
import type { Runtime } from '../runtime.js';
import { decide, isApiRequest } from './gate.js';
import { identityHeaders, stripHopByHopHeaders, stripIdentityHeaders } from './identity-headers.js';
import type { IdentityTokens } from './identity-token.js';

export interface Gateway {
  /** Express handler for every path claimgate does not own. */
  web: RequestHandler;
  /** Handler for HTTP upgrades (WebSocket); `withSession` runs the session middleware on the raw request. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, withSession: (req: IncomingMessage) => Promise<void>): Promise<void>;
  close(): void;
}

export function createGateway(runtime: Runtime, tokens: IdentityTokens): Gateway | undefined {
  const { config, logger } = runtime;
  const target = config.upstream.url;
  if (!target) return undefined;
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  const proxy = createProxyServer({ target, xfwd: true, ws: true, agent, proxyTimeout: config.upstream.timeout, changeOrigin: false });

  proxy.on('error', (error, req, res) => {
    logger.warn({ err: { message: (error as Error).message, code: (error as NodeJS.ErrnoException).code } }, 'upstream unreachable');
    if (res instanceof ServerResponse) {
      if (!res.headersSent) sendError(runtime, req as Request, res as Response, new AppError('upstream_unavailable', (error as Error).message));
      else res.destroy();
    } else {
      (res as Duplex | undefined)?.destroy();
    }
  });

  async function prepare(req: Request, upgrade: boolean): Promise<'ok' | 'anonymous' | 'terms'> {
    const decision = await decide(runtime, req);
    if (!decision.ok) return decision.reason;
    stripHopByHopHeaders(req.headers, upgrade);
    stripIdentityHeaders(req.headers);
    Object.assign(req.headers, identityHeaders(decision.identity, await tokens.tokenFor(req.sessionID, decision.identity)));
    return 'ok';
  }

  return {
    async web(req: Request, res: Response, next: NextFunction) {
      const outcome = await prepare(req, false);
      if (outcome === 'ok') return proxy.web(req, res);
      if (isApiRequest(req)) return next(new AppError(outcome === 'terms' ? 'terms_not_accepted' : 'not_signed_in', `gateway: ${outcome}`));
      const returnTo = encodeURIComponent(req.originalUrl);
      res.redirect(303, outcome === 'terms' ? `/_claimgate/terms?returnTo=${returnTo}` : `/login?returnTo=${returnTo}`);
    },
    async upgrade(req, socket, head, withSession) {
      try {
        await withSession(req);
        if ((await prepare(req as Request, true)) !== 'ok') {
          socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
          return;
        }
        proxy.ws(req, socket, head);
      } catch (error) {
        logger.error({ err: error }, 'upgrade failed');
        socket.destroy();
      }
    },
    close: () => {
      agent.destroy();
      proxy.close();
    },
  };
}
