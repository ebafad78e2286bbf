import { z } from 'zod';
import { listDeliveries } from '../../webhooks/deliveries.js';
import { createEndpoint, deleteEndpoint, endpointInputSchema, findEndpoint, publicEndpoint, rotateEndpointSecret, setEndpointState } from '../../webhooks/endpoints.js';
import { actorOf } from '../api-caller.js';
import { operation, type Operation } from './operation.js';
import { rowIdCursor, time } from './schemas.js';

const endpointSchema = z.object({
  id: z.string(), name: z.string(), url: z.string(), events: z.array(z.string()), source: z.enum(['config', 'api']),
  state: z.enum(['active', 'disabled']), rotating: z.boolean(), failingSince: time.nullable(), disabledAt: time.nullable(), createdAt: time,
}).meta({ id: 'WebhookEndpoint' });

const endpointParams = z.object({ endpoint: z.string().max(100).describe('The endpoint\'s name or id') });

const deliveryQuery = z.strictObject({
  state: z.enum(['pending', 'delivered', 'failed']).optional(),
  before: rowIdCursor.optional().describe('`next` of the previous page'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

const deliveriesAnswer = z.object({
  deliveries: z.array(z.object({
    id: z.string(), webhookId: z.string(), endpoint: z.string().nullable(), event: z.string(), memberId: z.string().nullable(),
    state: z.enum(['pending', 'delivered', 'failed']), attempts: z.number().int(), lastStatus: z.number().int().nullable(),
    createdAt: time, deliveredAt: time.nullable(), nextAttemptAt: time.nullable(),
    tries: z.array(z.object({ attemptedAt: time, status: z.number().int().nullable(), durationMs: z.number().int(), error: z.string().nullable(), nextAttemptAt: time.nullable() })),
  }).meta({ id: 'Delivery' })),
  next: z.string().nullable(),
}).meta({ id: 'DeliveryPage' });

const withSecret = z.object({ endpoint: endpointSchema, secret: z.string().describe('Shown once: the signing secret (whsec_…)') }).meta({ id: 'WebhookEndpointWithSecret' });

const webhook = { tag: 'webhooks', params: endpointParams } as const;

export const webhookOperations: Operation[] = [
  operation({
    id: 'listWebhooks', method: 'get', path: '/admin/api/webhooks', tag: 'webhooks', permission: 'accounts:read',
    summary: 'Webhook endpoints', responses: { 200: z.object({ endpoints: z.array(endpointSchema) }) },
    async handler({ runtime }) {
      const endpoints = await runtime.db.source.manager.find(runtime.db.entities.WebhookEndpoint, { order: { name: 'ASC' } });
      return { body: { endpoints: endpoints.map(publicEndpoint) } };
    },
  }),
  operation({
    id: 'createWebhook', method: 'post', path: '/admin/api/webhooks', tag: 'webhooks', permission: 'accounts:manage',
    summary: 'Add an endpoint; its signing secret is answered once', body: endpointInputSchema, responses: { 201: withSecret }, errors: [409],
    async handler({ req, runtime, body }) {
      return { status: 201, body: await createEndpoint(runtime, body, actorOf(req), req) };
    },
  }),
  operation({
    id: 'listDeliveries', method: 'get', path: '/admin/api/webhooks/deliveries', tag: 'webhooks', permission: 'accounts:read',
    summary: 'Deliveries to every endpoint, newest first, with their attempts', query: deliveryQuery, responses: { 200: deliveriesAnswer },
    async handler({ runtime, query }) {
      return { body: await listDeliveries(runtime, query) };
    },
  }),
  operation({
    ...webhook, id: 'getWebhook', method: 'get', path: '/admin/api/webhooks/:endpoint', permission: 'accounts:read',
    summary: 'One endpoint', responses: { 200: z.object({ endpoint: endpointSchema }) }, errors: [404],
    async handler({ runtime, params }) {
      return { body: { endpoint: publicEndpoint(await findEndpoint(runtime, params.endpoint)) } };
    },
  }),
  operation({
    ...webhook, id: 'listEndpointDeliveries', method: 'get', path: '/admin/api/webhooks/:endpoint/deliveries', permission: 'accounts:read',
    summary: 'Deliveries to one endpoint', query: deliveryQuery, responses: { 200: deliveriesAnswer }, errors: [404],
    async handler({ runtime, params, query }) {
      const endpoint = await findEndpoint(runtime, params.endpoint);
      return { body: await listDeliveries(runtime, { ...query, endpointId: endpoint.id }) };
    },
  }),
  operation({
    ...webhook, id: 'rotateWebhookSecret', method: 'post', path: '/admin/api/webhooks/:endpoint/rotate', permission: 'accounts:manage',
    summary: 'A new signing secret; the previous one stays valid for the overlap', errors: [404, 409],
    responses: { 200: withSecret.extend({ previousSecretValidUntil: time }) },
    async handler({ req, runtime, params }) {
      return { body: await rotateEndpointSecret(runtime, params.endpoint, actorOf(req), req) };
    },
  }),
  ...(['enable', 'disable'] as const).map((change) => operation({
    ...webhook, id: `${change}Webhook`, method: 'post', path: `/admin/api/webhooks/:endpoint/${change}`, permission: 'accounts:manage',
    summary: change === 'enable' ? 'Deliver to the endpoint again' : 'Stop delivering to the endpoint', errors: [404, 409],
    responses: { 200: z.object({ endpoint: endpointSchema }) },
    async handler({ req, runtime, params }) {
      return { body: { endpoint: await setEndpointState(runtime, params.endpoint, change === 'enable' ? 'active' : 'disabled', actorOf(req), req) } };
    },
  })),
  operation({
    ...webhook, id: 'deleteWebhook', method: 'post', path: '/admin/api/webhooks/:endpoint/delete', permission: 'accounts:manage',
    summary: 'Remove an endpoint and its delivery log', errors: [404, 409], responses: { 200: z.object({ deleted: z.literal(true) }) },
    async handler({ req, runtime, params }) {
      await deleteEndpoint(runtime, params.endpoint, actorOf(req), req);
      return { body: { deleted: true } };
    },
  }),
];
