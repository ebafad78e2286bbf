import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import { AppError } from '../http/errors.js';
import { caseSensitiveRouter } from '../http/router.js';
import type { Runtime } from '../runtime.js';
import { createToken, listTokens, revokeToken } from '../tokens/tokens.js';
import { listDeliveries } from '../webhooks/deliveries.js';
import { createEndpoint, deleteEndpoint, findEndpoint, publicEndpoint, rotateEndpointSecret, setEndpointState } from '../webhooks/endpoints.js';
import { actorOf, csrfUnlessToken } from './api-caller.js';
import type { AdminGuards } from './guards.js';

/** Tokens are managed by people: a token that could mint or revoke tokens would make a leak permanent. */
function sessionOnly(req: Request, _res: Response, next: NextFunction) {
  if (req.serviceToken) return next(new AppError('forbidden', 'token management by token', 'Service tokens are created and revoked by a signed-in admin or with the CLI, not by another token.'));
  next();
}

const deliveryQuery = z.strictObject({
  state: z.enum(['pending', 'delivered', 'failed']).optional(),
  before: z.string().regex(/^\d{1,19}$/).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw new AppError('validation_failed', `bad ${what}`, parsed.error.issues.map((issue) => `${issue.path.join('.') || what}: ${issue.message}`).join('; '));
  return parsed.data;
}

/** Webhook endpoints, their delivery log, and service tokens, under /admin/api/. */
export function integrationApi(runtime: Runtime, guards: AdminGuards) {
  const router = caseSensitiveRouter();
  const { read, manage } = guards.api;
  const noStore = (res: Response) => res.set('Cache-Control', 'no-store');

  router.get('/admin/api/webhooks', ...read, async (_req, res) => {
    const endpoints = await runtime.db.source.manager.find(runtime.db.entities.WebhookEndpoint, { order: { name: 'ASC' } });
    noStore(res).json({ endpoints: endpoints.map(publicEndpoint) });
  });
  router.post('/admin/api/webhooks', ...manage, csrfUnlessToken, async (req, res) => {
    noStore(res).status(201).json(await createEndpoint(runtime, req.body as never, actorOf(req), req));
  });
  router.get('/admin/api/webhooks/deliveries', ...read, async (req, res) => {
    noStore(res).json(await listDeliveries(runtime, parse(deliveryQuery, req.query, 'query')));
  });
  router.get('/admin/api/webhooks/:endpoint', ...read, async (req, res) => {
    noStore(res).json({ endpoint: publicEndpoint(await findEndpoint(runtime, String(req.params.endpoint))) });
  });
  router.get('/admin/api/webhooks/:endpoint/deliveries', ...read, async (req, res) => {
    const endpoint = await findEndpoint(runtime, String(req.params.endpoint));
    noStore(res).json(await listDeliveries(runtime, { ...parse(deliveryQuery, req.query, 'query'), endpointId: endpoint.id }));
  });
  router.post('/admin/api/webhooks/:endpoint/rotate', ...manage, csrfUnlessToken, async (req, res) => {
    noStore(res).json(await rotateEndpointSecret(runtime, String(req.params.endpoint), actorOf(req), req));
  });
  router.post('/admin/api/webhooks/:endpoint/enable', ...manage, csrfUnlessToken, async (req, res) => {
    noStore(res).json({ endpoint: await setEndpointState(runtime, String(req.params.endpoint), 'active', actorOf(req), req) });
  });
  router.post('/admin/api/webhooks/:endpoint/disable', ...manage, csrfUnlessToken, async (req, res) => {
    noStore(res).json({ endpoint: await setEndpointState(runtime, String(req.params.endpoint), 'disabled', actorOf(req), req) });
  });
  router.post('/admin/api/webhooks/:endpoint/delete', ...manage, csrfUnlessToken, async (req, res) => {
    await deleteEndpoint(runtime, String(req.params.endpoint), actorOf(req), req);
    noStore(res).json({ deleted: true });
  });

  router.get('/admin/api/tokens', ...read, async (_req, res) => {
    noStore(res).json({ tokens: await listTokens(runtime) });
  });
  router.post('/admin/api/tokens', ...manage, sessionOnly, csrfUnlessToken, async (req, res) => {
    noStore(res).status(201).json(await createToken(runtime, req.body as never, actorOf(req), req));
  });
  router.post('/admin/api/tokens/:token/revoke', ...manage, sessionOnly, csrfUnlessToken, async (req, res) => {
    noStore(res).json({ token: await revokeToken(runtime, String(req.params.token), actorOf(req), req) });
  });
  return router;
}
