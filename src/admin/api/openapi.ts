import { z } from 'zod';
import { ERRORS } from '../../http/errors.js';
import { Components } from './components.js';
import { CSV, type Operation } from './operation.js';

type JsonSchema = Record<string, unknown>;

/** The one error shape of the whole API (and of the rest of claimgate's JSON answers). */
const errorSchema = z.object({
  error: z.object({
    code: z.enum(Object.keys(ERRORS) as [keyof typeof ERRORS, ...Array<keyof typeof ERRORS>]),
    message: z.string(),
    requestId: z.string(),
  }),
});

const ERROR_REF = { $ref: '#/components/schemas/Error' };
/** Any operation may answer these: bad input, not signed in, no permission (or CSRF), throttled. */
const COMMON_ERRORS = [400, 401, 403, 429];
/** Writes may also answer these: a body too large, or not in the content type they read. */
const BODY_ERRORS = [413, 415];
const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'The request is not valid', 401: 'No session and no valid service token', 403: 'Not allowed', 404: 'Not found',
  409: 'Conflicts with the current state', 410: 'Gone', 413: 'The request body is too large', 415: 'The body is not in a content type the operation reads',
  429: 'Too many requests',
};
const ERROR_HEADERS: Record<number, Record<string, unknown>> = {
  401: { 'WWW-Authenticate': { description: 'The scheme to authenticate with (`Bearer`)', schema: { type: 'string' } } },
  429: { 'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer', minimum: 0 } } },
};

/** Path and query parameters from the properties of an object schema. */
function parameters(components: Components, schema: z.ZodType | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const object = components.jsonSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(object.properties ?? {}).map(([name, property]) => ({
    name, in: where, required: where === 'path' || (object.required ?? []).includes(name), schema: property,
    ...(typeof property.description === 'string' ? { description: property.description } : {}),
  }));
}

function success(components: Components, status: number, answer: z.ZodType | typeof CSV) {
  const content = answer === CSV ? { [CSV]: { schema: { type: 'string' } } } : { 'application/json': { schema: components.jsonSchema(answer, 'output') } };
  return [String(status), { description: status === 201 ? 'Created' : status === 202 ? 'Accepted' : 'OK', content }];
}

/** A JSON body is required unless an empty one (read as `{}`) is valid. */
const bodyRequired = (operation: Operation) => Boolean(operation.csvBody || (operation.body && !operation.body.safeParse({}).success));

function describe(components: Components, operation: Operation) {
  const bodyErrors = operation.method !== 'get' ? BODY_ERRORS : [];
  const statuses = [...new Set([...COMMON_ERRORS, ...bodyErrors, ...(operation.errors ?? [])])].sort();
  return {
    operationId: operation.id,
    summary: operation.summary,
    tags: [operation.tag],
    ...(operation.sessionOnly ? { security: [{ sessionCookie: [] }] } : {}),
    parameters: [...parameters(components, operation.params, 'path'), ...parameters(components, operation.query, 'query')],
    ...(operation.csvBody
      ? { requestBody: { required: true, content: { [CSV]: { schema: { type: 'string' } } } } }
      : operation.body ? { requestBody: { required: bodyRequired(operation), content: { 'application/json': { schema: components.jsonSchema(operation.body, 'input') } } } } : {}),
    responses: Object.fromEntries([
      ...Object.entries(operation.responses).map(([status, answer]) => success(components, Number(status), answer)),
      ...statuses.map((status) => [String(status), {
        description: ERROR_DESCRIPTIONS[status] ?? 'Error',
        ...(ERROR_HEADERS[status] ? { headers: ERROR_HEADERS[status] } : {}),
        content: { 'application/json': { schema: ERROR_REF } },
      }]),
    ]),
  };
}

const sorted = (schemas: Record<string, JsonSchema>) => Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b)));

/** `/admin/api/members/:id` → `/admin/api/members/{id}`. */
const openApiPath = (path: string) => path.replace(/:([A-Za-z]+)/g, '{$1}');

/** The OpenAPI 3.1 document of the operations, generated from the schemas that validate them. */
export function openApiDocument(operations: readonly Operation[], options: { version: string; serverUrl: string; cookieName: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  const components = new Components();
  for (const operation of operations) {
    const path = openApiPath(operation.path);
    paths[path] = { ...paths[path], [operation.method]: describe(components, operation) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'claimgate admin API', version: options.version,
      description: 'Members, imports, exports, the audit log, webhooks and service tokens. Scripts signed in with the session cookie send the CSRF token from GET /admin/api/session in `x-csrf-token` with every write; service tokens need none.',
    },
    servers: [{ url: options.serverUrl }],
    security: [{ bearerToken: [] }, { sessionCookie: [] }],
    paths,
    components: {
      securitySchemes: {
        bearerToken: { type: 'http', scheme: 'bearer', description: 'A service token (`cgt_…`) created by an admin or with `claimgate token create`.' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: options.cookieName, description: 'A signed-in admin\'s session.' },
      },
      schemas: { Error: new Components().jsonSchema(errorSchema, 'output'), ...sorted(components.schemas) },
    },
  };
}
