import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '../http/errors.js';
import type { Runtime } from '../runtime.js';
import type { SessionReader } from '../session/session-reader.js';
import { decide } from './gate.js';
import { identityHeaders } from './identity-headers.js';
import type { IdentityTokens } from './identity-token.js';
import { sendJsonError } from './plain-error.js';
import { forwardedTarget } from './policy/forwarded-target.js';
import { gatewayPolicy } from './policy/gateway-policy.js';

function allowedGroups(url: string | undefined): string[] | undefined {
  const value = new URL(url ?? '/', 'http://claimgate.invalid').searchParams.get('allowed_groups');
  if (!value?.trim()) return undefined;
  return value.split(',').map((group) => group.trim()).filter(Boolean);
}

/**
 * GET /auth/verify for nginx `auth_request` and Traefik `forwardAuth`: 202 with the identity headers for a valid
 * session, 401 to send the visitor to sign in, 403 when the route's policy or `allowed_groups` (comma-separated, as
 * oauth2-proxy; assigned groups only) excludes them. The route is the one gateway.routes picks for the request the
 * web server names (X-Forwarded-Uri/Host/Method or X-Original-URL); a public route answers 202 with no identity.
 * Called for every request the web server protects, so it runs without the framework: one session read.
 */
export function forwardAuth(runtime: Runtime, sessions: SessionReader, tokens: IdentityTokens) {
  const policy = gatewayPolicy(runtime);
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const target = forwardedTarget(req);
      if (target === 'unparsable') return sendJsonError(runtime, req, res, new AppError('bad_request', 'forwarded request target does not parse'));
      const route = target ? policy.table.match(target.host, target.path, target.method) : policy.table.fallback;
      const path = target?.path ?? '';
      if (route.public) {
        policy.access.count(route, 'public');
        res.writeHead(202, { 'Cache-Control': 'no-store', 'Content-Length': '0' }).end();
        return;
      }
      const session = await sessions.read(req);
      const decision = await decide(runtime, session?.data.memberId);
      if (!decision.ok) {
        if (route.closed) {
          await policy.access.refuseAnonymous(req, route, path);
          return sendJsonError(runtime, req, res, new AppError('access_denied', 'forward auth: no route'));
        }
        policy.access.count(route, 'sign_in');
        // A deactivated member, or one owing a new password, is sent to sign in (401): the sign-in page ends the
        // session and says why, or sends them on to choose the password.
        return sendJsonError(runtime, req, res, new AppError(decision.reason === 'terms' ? 'terms_not_accepted' : 'not_signed_in', 'forward auth'));
      }
      const refusal = await policy.access.check(req, route, decision.identity, path);
      if (refusal) return sendJsonError(runtime, req, res, new AppError('access_denied', `forward auth: route ${route.key}: ${refusal}`));
      const wanted = allowedGroups(req.url);
      if (wanted && !wanted.some((group) => decision.identity.groups.includes(group))) return sendJsonError(runtime, req, res, new AppError('not_in_group', 'forward auth'));
      const headers = identityHeaders(decision.identity, await tokens.tokenFor(session!.sid, decision.identity));
      res.writeHead(202, { ...headers, 'Cache-Control': 'no-store', 'Content-Length': '0' }).end();
    } catch (error) {
      // The store does not answer: nobody passes (logged with its request id).
      if (!res.headersSent) sendJsonError(runtime, req, res, new AppError('service_unavailable', (error as Error).message));
    }
  };
}
