import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '../http/errors.js';
import type { Runtime } from '../runtime.js';
import type { SessionReader } from '../session/session-reader.js';
import { decide } from './gate.js';
import { identityHeaders } from './identity-headers.js';
import type { IdentityTokens } from './identity-token.js';
import { sendJsonError } from './plain-error.js';

function allowedGroups(url: string | undefined): string[] | undefined {
  const value = new URL(url ?? '/', 'http://claimgate.invalid').searchParams.get('allowed_groups');
  if (!value?.trim()) return undefined;
  return value.split(',').map((group) => group.trim()).filter(Boolean);
}

/**
 * GET /auth/verify for nginx `auth_request` and Traefik `forwardAuth`: 202 with the identity headers for a valid
 * session, 401 to send the visitor to sign in, 403 when `allowed_groups` (comma-separated, as oauth2-proxy) excludes them.
 * Called for every request the web server protects, so it runs without the framework: one session read.
 */
export function forwardAuth(runtime: Runtime, sessions: SessionReader, tokens: IdentityTokens) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const session = await sessions.read(req);
      const decision = await decide(runtime, session?.data.memberId);
      // A deactivated member, or one owing a new password, is sent to sign in (401): the sign-in page ends the
      // session and says why, or sends them on to choose the password.
      if (!decision.ok) return sendJsonError(runtime, req, res, new AppError(decision.reason === 'terms' ? 'terms_not_accepted' : 'not_signed_in', 'forward auth'));
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
