import type { Request } from 'express';
import type { Permission } from '../config/schema.js';
import type { Runtime } from '../runtime.js';
import { tokenPermissions } from './api-caller.js';
import { permissionsOf } from './permissions.js';

/**
 * What the caller of an admin page or API request may do: its service token's permissions, or the signed-in
 * member's. Null without a request: the CLI, run by the local operator, who may do everything.
 */
export function callerPermissions(runtime: Runtime, req: Request | undefined): Set<Permission> | null {
  if (!req) return null;
  if (req.permissions) return req.permissions;
  if (req.serviceToken) return tokenPermissions(req.serviceToken);
  return req.member ? permissionsOf(runtime.config, req.member) : new Set();
}
