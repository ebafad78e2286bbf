import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import { AppError } from '../../http/errors.js';
import { caseSensitiveRouter } from '../../http/router.js';
import type { Runtime } from '../../runtime.js';
import { csrfUnlessToken } from '../api-caller.js';
import type { AdminGuards } from '../guards.js';
import type { Operation } from './operation.js';

/** `path.to.field: message; …`, readable by whoever wrote the request. */
export function validationMessage(error: z.ZodError, what: string): string {
  return error.issues.map((issue) => `${issue.path.map(String).join('.') || what}: ${issue.message}`).join('; ');
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
  const csvBody = express.raw({ type: ['text/csv', 'text/plain', 'application/octet-stream'], limit: runtime.config.imports.maxBytes });
  for (const operation of operations) {
    const chain: RequestHandler[] = [...guardFor(guards, operation)];
    if (operation.sessionOnly) chain.push(sessionOnly);
    if (operation.method !== 'get') chain.push(csrfUnlessToken);
    if (operation.csvBody) chain.push(csvBody);
    if (operation.before) chain.push(...operation.before(runtime, guards));
    chain.push(async (req, res) => {
      const call = {
        req, res, runtime,
        params: parsed(operation.params, req.params, 'path'),
        query: parsed(operation.query, req.query, 'query'),
        body: operation.csvBody ? req.body : parsed(operation.body, req.body, 'body'),
      };
      const reply = await operation.handler(call);
      if (reply) res.status(reply.status ?? 200).set('Cache-Control', 'no-store').json(reply.body);
    });
    router[operation.method](operation.path, ...chain);
  }
  return router;
}
