import type { Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import type { Runtime } from '../../runtime.js';
import type { AdminGuards } from '../guards.js';

export type ApiPermission = 'accounts:read' | 'accounts:manage' | 'groups:assign';

/** A CSV file instead of JSON, as a request body or a response. */
export const CSV = 'text/csv' as const;

export interface Call<P, Q, B> {
  req: Request;
  res: Response;
  runtime: Runtime;
  params: P;
  query: Q;
  body: B;
}

/** A JSON answer; handlers that stream a file write to `res` themselves and return nothing. */
export interface Reply {
  status?: number;
  body: unknown;
}

/**
 * One admin API operation. The same object mounts the route (guard, CSRF, validation) and describes it in the OpenAPI
 * document, so the document cannot drift from what the server checks.
 */
export interface Operation<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType> {
  id: string;
  method: 'get' | 'post' | 'patch';
  /** In express form (`/admin/api/members/:id`); the document shows `{id}`. */
  path: string;
  summary: string;
  tag: string;
  permission: ApiPermission;
  /** Refused to service tokens: a token that could mint or revoke tokens would make a leak permanent. */
  sessionOnly?: boolean;
  params?: P;
  query?: Q;
  body?: B;
  /** The request body is a CSV file, not JSON. */
  csvBody?: boolean;
  /** Success answers by status: a zod schema of the JSON, or a CSV file. */
  responses: Record<number, z.ZodType | typeof CSV>;
  /** Error statuses the operation answers besides 400/401/403/429 (which every operation may). */
  errors?: number[];
  /** Middleware after the guard and CSRF check, before validation (quotas, body readers). */
  before?: (runtime: Runtime, guards: AdminGuards) => RequestHandler[];
  handler(call: Call<z.output<P>, z.output<Q>, z.output<B>>): Promise<Reply | void> | Reply | void;
}

/** Keeps the schemas' types for the handler and erases them for the registry. */
export function operation<P extends z.ZodType = z.ZodObject<{}>, Q extends z.ZodType = z.ZodObject<{}>, B extends z.ZodType = z.ZodUnknown>(
  spec: Operation<P, Q, B>,
): Operation {
  return spec as unknown as Operation;
}
