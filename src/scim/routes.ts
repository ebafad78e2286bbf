import express, { type NextFunction, type Request, type Response } from 'express';
import type { ScimClientRow } from '../db/scim-rows.js';
import { boundedAudit } from '../http/bounded-audit.js';
import { clientKey } from '../http/client-key.js';
import { AppError } from '../http/errors.js';
import { auditOnceAt, consumeOrRefusal, createLimiter } from '../http/rate-limits.js';
import { caseSensitiveRouter } from '../http/router.js';
import { isBackendUnavailable } from '../http/unavailable.js';
import type { Runtime } from '../runtime.js';
import { resourceTypes, schemas, serviceProviderConfig } from './discovery.js';
import { SCIM_CONTENT_TYPE, ScimError, notFound, sendScimError } from './errors.js';
import { createGroup, deleteGroup, getGroup, groupResource, listGroups, patchGroup, replaceGroup } from './groups.js';
import { project } from './projection.js';
import { LIST_SCHEMA, etagOf } from './schemas.js';
import { clientForToken, scimActor } from './tokens.js';
import { createUser, deleteUser, getUser, listUsers, patchUser, replaceUser, userResources } from './users.js';

type Json = Record<string, unknown>;

const PREFIX = '/scim/v2';
/** A group PUT names every member: 10,000 ids fit in about 1 MB. */
const BODY_LIMIT = '2mb';

declare module 'express-serve-static-core' {
  interface Request {
    scimClient?: ScimClientRow;
  }
}

function send(res: Response, status: number, body: Json, etag?: string): void {
  if (etag) res.set('ETag', etag);
  res.status(status).type(SCIM_CONTENT_TYPE).set('Cache-Control', 'no-store').send(JSON.stringify(body));
}

function single(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ScimError(400, `${name} must be given once`, 'invalidValue');
  return value;
}

/** RFC 7644 §3.4.2.4: a startIndex below 1 counts as 1; a count above the maximum is cut to it. */
function paging(req: Request, maxResults: number): { startIndex: number; count: number } {
  const startText = single(req, 'startIndex');
  const countText = single(req, 'count');
  const number = (text: string | undefined, name: string) => {
    if (text === undefined) return undefined;
    if (!/^-?\d{1,9}$/.test(text.trim())) throw new ScimError(400, `${name} must be a whole number`, 'invalidValue');
    return Number(text);
  };
  const startIndex = Math.max(1, number(startText, 'startIndex') ?? 1);
  const count = Math.min(maxResults, Math.max(0, number(countText, 'count') ?? maxResults));
  return { startIndex, count };
}

const listBody = (total: number, startIndex: number, resources: Json[]): Json => ({
  schemas: [LIST_SCHEMA], totalResults: total, startIndex, itemsPerPage: resources.length, Resources: resources,
});

const ifMatch = (req: Request) => req.get('if-match') ?? undefined;
const id = (req: Request) => String(req.params.id);

/** `/scim/v2`: bearer-token clients only; no session, no CSRF (nothing here reads a cookie). */
export function scimRoutes(runtime: Runtime) {
  const { config } = runtime;
  const router = caseSensitiveRouter();
  const limiter = createLimiter(runtime, { keyPrefix: 'scim', points: config.scim.rateLimit.requests, durationSeconds: Math.max(1, Math.round(config.scim.rateLimit.window / 1000)) });
  // Unauthenticated requests cost nothing to send: their audit rows are bounded per client address.
  const auditUnauthenticated = boundedAudit(runtime, { name: 'scim-auth', rows: 10, windowSeconds: 15 * 60 });
  const auditRefusal = boundedAudit(runtime, { name: 'scim-refusal', rows: 100, windowSeconds: 15 * 60 });
  const base = () => config.baseUrl;

  const authenticate = async (req: Request, res: Response, next: NextFunction) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const client = match ? await clientForToken(runtime, match[1]!) : null;
    if (!client) {
      await auditUnauthenticated(clientKey(req, config.rateLimits.ipv6Prefix), {
        event: 'scim.request_refused', outcome: 'failure', req, details: { reason: match ? 'unknown_token' : 'no_token', path: req.path.slice(0, 100) },
      });
      res.set('WWW-Authenticate', 'Bearer realm="claimgate-scim"');
      return sendScimError(res, new ScimError(401, 'a valid bearer token is required'));
    }
    const refusal = await consumeOrRefusal(limiter, client.id);
    if (refusal) {
      await auditOnceAt(runtime, limiter, refusal.consumedPoints, 'exceeded', {
        event: 'scim.request_refused', outcome: 'failure', actorId: scimActor(client), req, details: { reason: 'rate_limited', client: client.name },
      });
      res.set('Retry-After', String(refusal.retryAfter));
      return sendScimError(res, new ScimError(429, `too many requests: at most ${config.scim.rateLimit.requests} per ${Math.round(config.scim.rateLimit.window / 1000)}s`));
    }
    const now = runtime.now();
    if (!client.lastUsedAt || now.getTime() - client.lastUsedAt.getTime() > 60_000) {
      void runtime.db.source.manager.update(runtime.db.entities.ScimClient, { id: client.id }, { lastUsedAt: now }).catch(() => undefined);
    }
    req.scimClient = client;
    next();
  };

  router.use(PREFIX, authenticate, express.json({ type: ['application/scim+json', 'application/json'], limit: BODY_LIMIT, strict: true }));

  router.get(`${PREFIX}/ServiceProviderConfig`, (_req, res) => send(res, 200, serviceProviderConfig(base(), config.scim.maxResults)));
  router.get(`${PREFIX}/ResourceTypes`, (_req, res) => send(res, 200, listBody(2, 1, resourceTypes(base()))));
  router.get(`${PREFIX}/ResourceTypes/:id`, (req, res) => {
    const found = resourceTypes(base()).find((type) => type.id === id(req));
    if (!found) throw notFound('ResourceType');
    send(res, 200, found);
  });
  router.get(`${PREFIX}/Schemas`, (_req, res) => send(res, 200, listBody(3, 1, schemas(base()))));
  router.get(`${PREFIX}/Schemas/:id`, (req, res) => {
    const found = schemas(base()).find((schema) => schema.id === id(req));
    if (!found) throw notFound('Schema');
    send(res, 200, found);
  });

  // --- Users ---
  router.get(`${PREFIX}/Users`, async (req, res) => {
    const { startIndex, count } = paging(req, config.scim.maxResults);
    const page = await listUsers(runtime, req.scimClient!, { filter: single(req, 'filter'), startIndex, count });
    const resources = (await userResources(runtime, page.items)).map((resource) => project(resource, req.query.attributes, req.query.excludedAttributes));
    send(res, 200, listBody(page.total, startIndex, resources));
  });
  router.get(`${PREFIX}/Users/:id`, async (req, res) => {
    const user = await getUser(runtime, req.scimClient!, id(req));
    const etag = etagOf(user.link.version);
    if (req.get('if-none-match') === etag) return void res.status(304).set('ETag', etag).end();
    const [resource] = await userResources(runtime, [user]);
    send(res, 200, project(resource!, req.query.attributes, req.query.excludedAttributes), etag);
  });
  router.post(`${PREFIX}/Users`, async (req, res) => {
    const user = await createUser(runtime, req.scimClient!, req.body, req);
    const [resource] = await userResources(runtime, [user]);
    res.set('Location', String((resource!.meta as Json).location));
    send(res, 201, resource!, etagOf(user.link.version));
  });
  router.put(`${PREFIX}/Users/:id`, async (req, res) => {
    const user = await replaceUser(runtime, req.scimClient!, id(req), req.body, ifMatch(req), req);
    const [resource] = await userResources(runtime, [user]);
    send(res, 200, resource!, etagOf(user.link.version));
  });
  router.patch(`${PREFIX}/Users/:id`, async (req, res) => {
    const user = await patchUser(runtime, req.scimClient!, id(req), req.body, ifMatch(req), req);
    const [resource] = await userResources(runtime, [user]);
    send(res, 200, resource!, etagOf(user.link.version));
  });
  router.delete(`${PREFIX}/Users/:id`, async (req, res) => {
    await deleteUser(runtime, req.scimClient!, id(req), ifMatch(req), req);
    res.status(204).end();
  });

  // --- Groups ---
  const wantsMembers = (req: Request) => !String(req.query.excludedAttributes ?? '').toLowerCase().split(',').map((part) => part.trim()).includes('members');
  router.get(`${PREFIX}/Groups`, async (req, res) => {
    const { startIndex, count } = paging(req, config.scim.maxResults);
    const page = await listGroups(runtime, req.scimClient!, { filter: single(req, 'filter'), startIndex, count, withMembers: wantsMembers(req) });
    const resources = page.items.map((group) => project(groupResource(runtime, group), req.query.attributes, req.query.excludedAttributes));
    send(res, 200, listBody(page.total, startIndex, resources));
  });
  router.get(`${PREFIX}/Groups/:id`, async (req, res) => {
    const group = await getGroup(runtime, req.scimClient!, id(req), wantsMembers(req));
    send(res, 200, project(groupResource(runtime, group), req.query.attributes, req.query.excludedAttributes), etagOf(group.group.version));
  });
  router.post(`${PREFIX}/Groups`, async (req, res) => {
    const group = await createGroup(runtime, req.scimClient!, req.body, req);
    res.set('Location', `${base()}${PREFIX}/Groups/${group.group.id}`);
    send(res, 201, groupResource(runtime, group), etagOf(group.group.version));
  });
  router.put(`${PREFIX}/Groups/:id`, async (req, res) => {
    const group = await replaceGroup(runtime, req.scimClient!, id(req), req.body, ifMatch(req), req);
    send(res, 200, groupResource(runtime, group), etagOf(group.group.version));
  });
  router.patch(`${PREFIX}/Groups/:id`, async (req, res) => {
    await patchGroup(runtime, req.scimClient!, id(req), req.body, ifMatch(req), req);
    const group = await getGroup(runtime, req.scimClient!, id(req), false);
    res.set('ETag', etagOf(group.group.version)).status(204).end();
  });
  router.delete(`${PREFIX}/Groups/:id`, async (req, res) => {
    await deleteGroup(runtime, req.scimClient!, id(req), ifMatch(req), req);
    res.status(204).end();
  });

  router.use(PREFIX, (req) => {
    throw notFound(`${req.method} ${req.path.slice(0, 100)}`);
  });

  router.use(PREFIX, async (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const refusal = asScimError(error);
    if (refusal.status >= 500) req.log?.error({ err: error }, 'scim request failed');
    else req.log?.info({ status: refusal.status, scimType: refusal.scimType, detail: refusal.detail }, 'scim request refused');
    const client = req.scimClient;
    if (client && req.method !== 'GET' && refusal.status < 500) {
      await auditRefusal(client.id, {
        event: 'scim.request_refused', outcome: 'failure', actorId: scimActor(client), req,
        details: { client: client.name, reason: refusal.reason, status: refusal.status, method: req.method, resource: req.path.split('/')[3] ?? '' },
      }).catch(() => undefined);
    }
    if (res.headersSent) return;
    if (refusal.status === 503) res.set('Retry-After', '5');
    sendScimError(res, refusal);
  });

  return router;
}

function asScimError(error: unknown): ScimError {
  if (error instanceof ScimError) return error;
  const e = error as { type?: string; status?: number; message?: string; expose?: boolean };
  if (e?.type === 'entity.too.large') return new ScimError(413, 'the request body is too large', undefined, 'too_large');
  if (e?.type === 'entity.parse.failed') return new ScimError(400, 'the body is not valid JSON', 'invalidSyntax');
  if (e?.expose && typeof e.status === 'number' && e.status >= 400 && e.status < 500) return new ScimError(e.status, (e.message ?? 'bad request').slice(0, 200), 'invalidSyntax');
  if (error instanceof AppError && error.expose) return new ScimError(error.status, error.publicMessage);
  if (isBackendUnavailable(error) || (error instanceof AppError && error.code === 'service_unavailable')) return new ScimError(503, 'the service is temporarily unavailable', undefined, 'unavailable');
  return new ScimError(500, 'internal error', undefined, 'internal');
}
