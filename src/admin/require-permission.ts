import type { NextFunction, Request, Response } from 'express';
import type { Permission } from '../config/schema.js';
import { AppError } from '../http/errors.js';
import type { Runtime } from '../runtime.js';
import { permissionsOf } from './permissions.js';

declare module 'express-serve-static-core' {
  interface Request {
    permissions?: Set<Permission>;
  }
}

/**
 * Runs after requireMember: lets through a member whose admin entry grants `permission`. Anyone else gets 403, and
 * every refusal is audited so probing the admin surface leaves a trail.
 */
export function requirePermission(runtime: Runtime, permission: Permission) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const member = req.member!;
    const permissions = permissionsOf(runtime.config, member);
    if (permissions.has(permission)) {
      req.permissions = permissions;
      return next();
    }
    await runtime.audit({
      event: 'admin.access_denied', outcome: 'failure', actorId: member.id, memberId: member.id, req,
      details: { permission, httpMethod: req.method, path: req.originalUrl.split('?')[0]!.slice(0, 200) },
    });
    next(new AppError('forbidden', `${member.id} lacks ${permission}`));
  };
}
