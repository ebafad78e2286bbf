import { randomUUID } from 'node:crypto';
import { In, Not } from 'typeorm';
import { z } from 'zod';
import { AUDIT_EVENTS } from '../audit/events.js';
import { webhookUrl } from '../config/webhook-values.js';
import type { WebhookEndpointRow } from '../db/integration-rows.js';
import { AppError } from '../http/errors.js';
import type { Runtime } from '../runtime.js';
import type { Database } from '../db/database.js';
import type { Config } from '../config/schema.js';
import { newWebhookSecret, openSecret, sealSecret } from './secrets.js';
import { webhookTargetProblem } from './target-rules.js';

/** Words the API uses as a path segment after `/webhooks/`: an endpoint of that name could not be addressed. */
export const RESERVED_ENDPOINT_NAMES = ['deliveries'] as const;

export const endpointInputSchema = z.strictObject({
  name: z.string().trim().regex(/^[a-z0-9][a-z0-9_-]{0,47}$/, 'lower-case letters, digits, - and _ (at most 48)')
    .refine((name) => !(RESERVED_ENDPOINT_NAMES as readonly string[]).includes(name), `is reserved (${RESERVED_ENDPOINT_NAMES.join(', ')})`),
  url: webhookUrl,
  events: z.array(z.union([z.literal('*'), z.enum(AUDIT_EVENTS)])).min(1).default(['*']).transform((events) => [...new Set(events)]),
});
export type EndpointInput = z.input<typeof endpointInputSchema>;

/** An endpoint as lists and the API show it: never a secret. */
export function publicEndpoint(endpoint: WebhookEndpointRow) {
  return {
    id: endpoint.id, name: endpoint.name, url: endpoint.url, events: JSON.parse(endpoint.events) as string[], source: endpoint.source,
    state: endpoint.state, rotating: Boolean(endpoint.previousUntil), failingSince: endpoint.failingSince, disabledAt: endpoint.disabledAt,
    createdAt: endpoint.createdAt,
  };
}

/** Config endpoints mirrored into the table (the outbox and delivery history refer to rows); removed ones are disabled. */
export async function syncConfiguredEndpoints(db: Database, config: Config, now: Date): Promise<void> {
  const configured = config.webhooks.endpoints;
  await db.transaction(async (manager) => {
    for (const endpoint of configured) {
      const fields = { url: endpoint.url, events: JSON.stringify(endpoint.events), source: 'config' as const, updatedAt: now };
      const existing = await manager.findOneBy(db.entities.WebhookEndpoint, { name: endpoint.name });
      if (existing) {
        if (existing.url !== fields.url || existing.events !== fields.events || existing.source !== 'config') {
          await manager.update(db.entities.WebhookEndpoint, { id: existing.id }, { ...fields, secretSealed: null, previousSecretSealed: null, previousUntil: null });
        }
        continue;
      }
      // Replicas starting together insert the same name: the unique index keeps one, the others' inserts do nothing.
      await manager.createQueryBuilder().insert().into(db.entities.WebhookEndpoint).orIgnore().values({
        id: randomUUID(), name: endpoint.name, ...fields, state: 'active', secretSealed: null, previousSecretSealed: null,
        previousUntil: null, failingSince: null, disabledAt: null, createdAt: now,
      }).execute();
    }
    const names = configured.map((endpoint) => endpoint.name);
    await manager.update(db.entities.WebhookEndpoint, { source: 'config', state: 'active', ...(names.length ? { name: Not(In(names)) } : {}) }, { state: 'disabled', disabledAt: now, updatedAt: now });
  });
}

/** The secrets that sign a delivery now: the current one, and while a rotation overlaps, the previous one. */
export function signingSecrets(runtime: Runtime, endpoint: WebhookEndpointRow): string[] {
  if (endpoint.source === 'config') {
    const configured = runtime.config.webhooks.endpoints.find((entry) => entry.name === endpoint.name);
    if (!configured) return [];
    return configured.previousSecret ? [configured.secret, configured.previousSecret] : [configured.secret];
  }
  const secrets = endpoint.secretSealed ? [openSecret(runtime.keys.webhookSecrets, endpoint.secretSealed)] : [];
  if (endpoint.previousSecretSealed && endpoint.previousUntil && endpoint.previousUntil > runtime.now()) {
    secrets.push(openSecret(runtime.keys.webhookSecrets, endpoint.previousSecretSealed));
  }
  return secrets;
}

export async function findEndpoint(runtime: Runtime, nameOrId: string): Promise<WebhookEndpointRow> {
  const { db } = runtime;
  const endpoint = await db.source.manager.findOne(db.entities.WebhookEndpoint, { where: [{ name: nameOrId }, ...(isUuid(nameOrId) ? [{ id: nameOrId }] : [])] });
  if (!endpoint) throw new AppError('not_found', `no webhook endpoint ${nameOrId}`, `There is no webhook endpoint named ${nameOrId}.`);
  return endpoint;
}

const isUuid = (value: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);

function refuseConfigured(endpoint: WebhookEndpointRow) {
  if (endpoint.source === 'config') throw new AppError('conflict', `${endpoint.name} is configured`, `${endpoint.name} comes from the configuration file: change it there.`);
}

/** Creates an endpoint with a new secret, returned once (it is stored sealed and never shown again). */
export async function createEndpoint(runtime: Runtime, input: EndpointInput, actorId: string, req?: Parameters<Runtime['audit']>[0]['req']) {
  const parsed = endpointInputSchema.safeParse(input);
  if (!parsed.success) throw new AppError('validation_failed', 'bad webhook endpoint', parsed.error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`).join('; '));
  const target = await webhookTargetProblem(parsed.data.url, runtime.config.webhooks.allowPrivateTargets);
  if (target) throw new AppError('validation_failed', 'webhook target refused', `url: ${target} (webhooks.allowPrivateTargets is off).`);
  const { db } = runtime;
  const now = runtime.now();
  const secret = newWebhookSecret();
  const endpoint: WebhookEndpointRow = {
    id: randomUUID(), name: parsed.data.name, url: parsed.data.url, events: JSON.stringify(parsed.data.events), source: 'api', state: 'active',
    secretSealed: sealSecret(runtime.keys.webhookSecrets, secret), previousSecretSealed: null, previousUntil: null, failingSince: null,
    disabledAt: null, createdAt: now, updatedAt: now,
  };
  await db.transaction(async (manager) => {
    if (await manager.existsBy(db.entities.WebhookEndpoint, { name: endpoint.name })) {
      throw new AppError('conflict', 'endpoint name taken', `A webhook endpoint named ${endpoint.name} exists already.`);
    }
    await manager.insert(db.entities.WebhookEndpoint, endpoint);
    await runtime.audit({ event: 'webhook.endpoint_created', actorId, req, details: { endpoint: endpoint.name, url: endpoint.url, events: parsed.data.events } }, manager);
  });
  return { endpoint: publicEndpoint(endpoint), secret };
}

/** A new secret signs from now on; the old one keeps signing too for `webhooks.rotationOverlap`, so receivers can switch. */
export async function rotateEndpointSecret(runtime: Runtime, nameOrId: string, actorId: string, req?: Parameters<Runtime['audit']>[0]['req']) {
  const endpoint = await findEndpoint(runtime, nameOrId);
  refuseConfigured(endpoint);
  const secret = newWebhookSecret();
  const now = runtime.now();
  const previousUntil = new Date(now.getTime() + runtime.config.webhooks.rotationOverlap);
  await runtime.db.transaction(async (manager) => {
    await manager.update(runtime.db.entities.WebhookEndpoint, { id: endpoint.id }, {
      secretSealed: sealSecret(runtime.keys.webhookSecrets, secret), previousSecretSealed: endpoint.secretSealed, previousUntil, updatedAt: now,
    });
    await runtime.audit({ event: 'webhook.endpoint_changed', actorId, req, details: { endpoint: endpoint.name, change: 'secret_rotated', previousUntil: previousUntil.toISOString() } }, manager);
  });
  return { endpoint: publicEndpoint({ ...endpoint, previousUntil }), secret, previousSecretValidUntil: previousUntil };
}

/** Turns an endpoint on or off. Turning it on again resumes its pending messages where they stopped. */
export async function setEndpointState(runtime: Runtime, nameOrId: string, state: 'active' | 'disabled', actorId: string, req?: Parameters<Runtime['audit']>[0]['req']) {
  const endpoint = await findEndpoint(runtime, nameOrId);
  // Already so: nothing changes, no timestamp moves, nothing is audited.
  if (endpoint.state === state) return publicEndpoint(endpoint);
  const now = runtime.now();
  const change = state === 'active'
    ? { state, disabledAt: null, failingSince: null, updatedAt: now }
    : { state, disabledAt: now, updatedAt: now };
  await runtime.db.transaction(async (manager) => {
    await manager.update(runtime.db.entities.WebhookEndpoint, { id: endpoint.id }, change);
    await runtime.audit({ event: 'webhook.endpoint_changed', actorId, req, details: { endpoint: endpoint.name, change: state === 'active' ? 'enabled' : 'disabled' } }, manager);
  });
  if (state === 'active') await runtime.jobs.enqueueWebhooks();
  return publicEndpoint({ ...endpoint, ...change });
}

export async function deleteEndpoint(runtime: Runtime, nameOrId: string, actorId: string, req?: Parameters<Runtime['audit']>[0]['req']) {
  const endpoint = await findEndpoint(runtime, nameOrId);
  refuseConfigured(endpoint);
  await runtime.db.transaction(async (manager) => {
    await manager.delete(runtime.db.entities.WebhookEndpoint, { id: endpoint.id });
    await runtime.audit({ event: 'webhook.endpoint_changed', actorId, req, details: { endpoint: endpoint.name, change: 'deleted' } }, manager);
  });
}
