import type { Request, RequestHandler } from 'express';
import { limitRequests } from '../http/request-limit.js';
import { requireMember } from '../http/require-member.js';
import type { Runtime } from '../runtime.js';
import { denialCounter, requirePermission } from './require-permission.js';
import { actorOf, apiCaller } from './api-caller.js';

export interface AdminGuards {
  /** Signed in with `accounts:read`: the people pages and audit history. */
  read: RequestHandler[];
  /** Signed in with `accounts:manage`: invite, import, export, resend, revoke, deactivate, access codes. */
  manage: RequestHandler[];
  /** Signed in with `groups:assign`: assign and unassign the groups access decisions read. */
  assign: RequestHandler[];
  /** After `manage` on a request that starts an export: each builds a file of every member, so they are rationed. */
  exportQuota: RequestHandler;
  /**
   * The same for the JSON API under /admin/api/, where a service token (Authorization: Bearer) may stand in for the
   * session; each token has its own rate limit (`apiTokens.perMinute`).
   */
  api: { read: RequestHandler[]; manage: RequestHandler[]; assign: RequestHandler[] };
}

export function adminGuards(runtime: Runtime): AdminGuards {
  const member = requireMember(runtime);
  const denials = denialCounter(runtime);
  // Per signed-in admin, after the permission check: a script gone wrong (or a stolen session) cannot hammer the
  // database with searches, invitations or exports. Generous for a person clicking through pages.
  const throttled = (limit: string) => (req: Request) => ({
    event: 'admin.access_denied' as const, outcome: 'failure' as const, actorId: actorOf(req), memberId: req.member?.id ?? null, req,
    details: { reason: 'throttled', limit, path: req.originalUrl.split('?')[0]!.slice(0, 200) },
  });
  const perAdmin = limitRequests(runtime, { keyPrefix: 'admin', points: 600, durationSeconds: 60, key: (req) => req.member!.id, audit: throttled('requests') });
  const perToken = limitRequests(runtime, {
    keyPrefix: 'api-token', points: runtime.config.apiTokens.perMinute, durationSeconds: 60, key: (req) => req.serviceToken!.id, audit: throttled('token requests'),
  });
  const perCaller: RequestHandler = (req, res, next) => (req.serviceToken ? perToken(req, res, next) : perAdmin(req, res, next));
  const caller = apiCaller(runtime);
  return {
    api: {
      read: [caller, requirePermission(runtime, 'accounts:read', denials), perCaller],
      manage: [caller, requirePermission(runtime, 'accounts:manage', denials), perCaller],
      assign: [caller, requirePermission(runtime, 'groups:assign', denials), perCaller],
    },
    read: [member, requirePermission(runtime, 'accounts:read', denials), perAdmin],
    manage: [member, requirePermission(runtime, 'accounts:manage', denials), perAdmin],
    assign: [member, requirePermission(runtime, 'groups:assign', denials), perAdmin],
    exportQuota: limitRequests(runtime, { keyPrefix: 'admin-export', points: 10, durationSeconds: 60 * 60, key: actorOf, audit: throttled('exports') }),
  };
}
