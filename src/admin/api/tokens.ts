import { z } from 'zod';
import { createToken, listTokens, revokeToken, tokenInputSchema } from '../../tokens/tokens.js';
import { actorOf } from '../api-caller.js';
import { operation, type Operation } from './operation.js';
import { permissionsSchema, time } from './schemas.js';

const tokenSchema = z.object({
  id: z.string(), name: z.string(), prefix: z.string(), permissions: permissionsSchema,
  createdAt: time, expiresAt: time.nullable(), revokedAt: time.nullable(), lastUsedAt: time.nullable(),
}).meta({ id: 'Token' });

// Tokens are managed by people: a token that could mint or revoke tokens would make a leak permanent.
export const tokenOperations: Operation[] = [
  operation({
    id: 'listTokens', method: 'get', path: '/admin/api/tokens', tag: 'tokens', permission: 'accounts:read',
    summary: 'Service tokens (never the tokens themselves)', responses: { 200: z.object({ tokens: z.array(tokenSchema) }) },
    async handler({ runtime }) {
      return { body: { tokens: await listTokens(runtime) } };
    },
  }),
  operation({
    id: 'createToken', method: 'post', path: '/admin/api/tokens', tag: 'tokens', permission: 'accounts:manage', sessionOnly: true,
    summary: 'Create a service token; the token is answered once', body: tokenInputSchema, errors: [409],
    responses: { 201: tokenSchema.extend({ token: z.string().describe('Shown once: cgt_…') }) },
    async handler({ req, runtime, body }) {
      return { status: 201, body: await createToken(runtime, body, actorOf(req), req) };
    },
  }),
  operation({
    id: 'revokeToken', method: 'post', path: '/admin/api/tokens/:token/revoke', tag: 'tokens', permission: 'accounts:manage', sessionOnly: true,
    summary: 'Revoke a service token at once, on every replica', params: z.object({ token: z.string().max(100).describe('The token\'s name or id') }),
    responses: { 200: z.object({ token: tokenSchema }) }, errors: [404],
    async handler({ req, runtime, params }) {
      return { body: { token: await revokeToken(runtime, params.token, actorOf(req), req) } };
    },
  }),
];
