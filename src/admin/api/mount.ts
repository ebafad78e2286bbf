import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { AppError } from '../../http/errors.js';
import { caseSensitiveRouter } from '../../http/router.js';
import type { Runtime } from '../../runtime.js';
import { csrfUnlessToken } from '../api-caller.js';
import type { AdminGuards } from '../guards.js';
import type { Operation } from './operation.js';

/** The values a choice (or a union of choices) accepts, in order; none if the issue is not about a choice. */
function choices(issue: z.core.$ZodIssue): unknown[] {
  if (issue.code === 'invalid_value') return issue.values;
  if (issue.code !== 'invalid_union') return [];
  const branches = issue.errors.flat();
  return branches.length && branches.every((inner) => inner.code === 'invalid_value') ? branches.flatMap(choices) : [];
}

function issueMessage(issue: z.core.$ZodIssue): string {
  // An empty text means "no filter" where it is accepted: not worth listing.
  const values = choices(issue).filter((value) => value !== '');
  return values.length ? `expected one of ${values.map(String).join(', ')}` : issue.message;
}

/** `path.to.field: message; …`, readable by whoever wrote the request. */
function validationMessage(error: z.ZodError, what: string): string {
  return error.issues.map((issue) => `${issue.path.map(String).join('.') || what}: ${issueMessage(issue)}`).join('; ');
}

/** A write without a body schema takes no fields: an unknown one is refused, not ignored. */
const NO_FIELDS = z.strictObject({});

const CSV_TYPES = ['text/csv', 'text/plain', 'application/octet-stream'];

const hasBody = (req: Request) => req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

/** A body in another content type than the operation reads is refused (415), not read as something else. */
function contentType(types: string[]): RequestHandler {
  const expected = types.join(', ');
  return (req, _res, next) => {
    if (!hasBody(req) || req.is(types)) return next();
    next(new AppError('unsupported_media_type', `content type ${req.headers['content-type'] ?? 'none'}`, `Send the body as ${expected} (Content-Type header).`));
  };
}

function parsed<T>(schema: z.ZodType<T> | undefined, value: unknown, what: string): T {
  if (!schema) return value as T;
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw new AppError('validation_failed', `bad ${what}`, validationMessage(result.error, what));
  return result.data;
}

function sessionOnly(req: Request, _res: Response, next: NextFunction) {
  if (req.serviceToken) return next(new AppError('forbidden', 'token management by token', 'Service tokens are created and revoked by a signed-in admin or with the CLI, not by another token.'));
  next();
}

function guardFor(guards: AdminGuards, operation: Operation): RequestHandler[] {
  const { read, manage, assign } = guards.api;
  return operation.permission === 'accounts:read' ? read : operation.permission === 'groups:assign' ? assign : manage;
}

/** Mounts every operation in order: guard, token refusal, CSRF for writes, extras, validation, handler. */
export function mountOperations(runtime: Runtime, guards: AdminGuards, operations: readonly Operation[]) {
  const router = caseSensitiveRouter();
  // The CSV is the request body; its size is checked while it arrives.
  const csvBody = express.raw({ type: CSV_TYPES, limit: runtime.config.imports.maxBytes });
  for (const operation of operations) {
    const chain: RequestHandler[] = [...guardFor(guards, operation)];
    if (operation.sessionOnly) chain.push(sessionOnly);
    if (operation.method !== 'get') chain.push(csrfUnlessToken, contentType(operation.csvBody ? CSV_TYPES : ['application/json']));
    if (operation.csvBody) chain.push(csvBody);
    if (operation.before) chain.push(...operation.before(runtime, guards));
    chain.push(async (req, res) => {
      const call = {
        req, res, runtime,
        params: parsed(operation.params, req.params, 'path'),
        query: parsed(operation.query, req.query, 'query'),
        body: operation.csvBody ? req.body : parsed(operation.body ?? (operation.method === 'get' ? undefined : NO_FIELDS), req.body, 'body'),
      };
      const reply = await operation.handler(call);
      if (reply) res.status(reply.status ?? 200).set('Cache-Control', 'no-store').json(reply.body);
    });
    router[operation.method](operation.path, ...chain);
  }
  return router;
}
