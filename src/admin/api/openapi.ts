import { z } from 'zod';
import { ERRORS } from '../../http/errors.js';
import { CSV, type Operation } from './operation.js';

type JsonSchema = Record<string, unknown>;

/** The one error shape of the whole API (and of the rest of claimgate's JSON answers). */
export const errorSchema = z.object({
  error: z.object({
    code: z.enum(Object.keys(ERRORS) as [keyof typeof ERRORS, ...Array<keyof typeof ERRORS>]),
    message: z.string(),
    requestId: z.string(),
  }),
});

const ERROR_REF = { $ref: '#/components/schemas/Error' };
/** Any operation may answer these: bad input, not signed in, no permission (or CSRF), throttled. */
const COMMON_ERRORS = [400, 401, 403, 429];
const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'The request is not valid', 401: 'No session and no valid service token', 403: 'Not allowed', 404: 'Not found',
  409: 'Conflicts with the current state', 410: 'Gone', 413: 'Too large', 429: 'Too many requests',
};

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'throw' }) as JsonSchema;
  return rest;
}

/** Path and query parameters from the properties of an object schema. */
function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const object = jsonSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(object.properties ?? {}).map(([name, property]) => ({
    name, in: where, required: where === 'path' || (object.required ?? []).includes(name), schema: property,
    ...(typeof property.description === 'string' ? { description: property.description } : {}),
  }));
}

function success(status: number, answer: z.ZodType | typeof CSV) {
  const content = answer === CSV ? { [CSV]: { schema: { type: 'string' } } } : { 'application/json': { schema: jsonSchema(answer, 'output') } };
  return [String(status), { description: status === 201 ? 'Created' : status === 202 ? 'Accepted' : 'OK', content }];
}

function describe(operation: Operation) {
  const statuses = [...new Set([...COMMON_ERRORS, ...(operation.errors ?? [])])].sort();
  return {
    operationId: operation.id,
    summary: operation.summary,
    tags: [operation.tag],
    ...(operation.sessionOnly ? { security: [{ sessionCookie: [] }] } : {}),
    parameters: [...parameters(operation.params, 'path'), ...parameters(operation.query, 'query')],
    ...(operation.csvBody
      ? { requestBody: { required: true, content: { [CSV]: { schema: { type: 'string' } } } } }
      : operation.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(operation.body, 'input') } } } } : {}),
    responses: Object.fromEntries([
      ...Object.entries(operation.responses).map(([status, answer]) => success(Number(status), answer)),
      ...statuses.map((status) => [String(status), { description: ERROR_DESCRIPTIONS[status] ?? 'Error', content: { 'application/json': { schema: ERROR_REF } } }]),
    ]),
  };
}

/** `/admin/api/members/:id` → `/admin/api/members/{id}`. */
export const openApiPath = (path: string) => path.replace(/:([A-Za-z]+)/g, '{$1}');

/** The OpenAPI 3.1 document of the operations, generated from the schemas that validate them. */
export function openApiDocument(operations: readonly Operation[], options: { version: string; serverUrl: string; cookieName: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of operations) {
    const path = openApiPath(operation.path);
    paths[path] = { ...paths[path], [operation.method]: describe(operation) };
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
        bearerToken: { type: 'http', scheme: 'bearer', description: 'A service token (`cgt_…`) created by an admin or with `claimgate tokens create`.' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: options.cookieName, description: 'A signed-in admin\'s session.' },
      },
      schemas: { Error: jsonSchema(errorSchema, 'output') },
    },
  };
}
