import type { RequestHandler } from 'express';
import { requireMember } from '../http/require-member.js';
import type { Runtime } from '../runtime.js';
import { requirePermission } from './require-permission.js';

export interface AdminGuards {
  /** Signed in with `accounts:read`: the people pages and audit history. */
  read: RequestHandler[];
  /** Signed in with `accounts:manage`: invite, import, export, resend, revoke, deactivate, access codes. */
  manage: RequestHandler[];
}

export function adminGuards(runtime: Runtime): AdminGuards {
  const member = requireMember(runtime);
  return {
    read: [member, requirePermission(runtime, 'accounts:read')],
    manage: [member, requirePermission(runtime, 'accounts:manage')],
  };
}
