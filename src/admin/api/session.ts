import { z } from 'zod';
import { csrf } from '../../http/csrf.js';
import { publicToken } from '../../tokens/tokens.js';
import { operation, type Operation } from './operation.js';
import { permissionsSchema, time } from './schemas.js';

const sessionAnswer = z.union([
  z.object({
    member: z.object({ id: z.string(), email: z.string().nullable(), employeeId: z.string().nullable() }),
    permissions: permissionsSchema,
    csrfToken: z.string().describe('Send it in `x-csrf-token` with every write made with the session cookie'),
  }),
  z.object({
    token: z.object({
      id: z.string(), name: z.string(), prefix: z.string(), permissions: permissionsSchema,
      createdAt: time, expiresAt: time.nullable(), revokedAt: time.nullable(), lastUsedAt: time.nullable(),
    }),
    permissions: permissionsSchema,
  }),
]);

export const sessionOperations: Operation[] = [
  operation({
    id: 'getSession', method: 'get', path: '/admin/api/session', tag: 'session', permission: 'accounts:read',
    summary: 'Who is calling, with which permissions (and, for a session, the CSRF token)', responses: { 200: sessionAnswer },
    handler({ req }) {
      if (req.serviceToken) return { body: { token: publicToken(req.serviceToken), permissions: [...req.permissions!] } };
      return {
        body: {
          member: { id: req.member!.id, email: req.member!.email, employeeId: req.member!.employeeId },
          permissions: [...req.permissions!],
          csrfToken: csrf.generateToken(req),
        },
      };
    },
  }),
];
