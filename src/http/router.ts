import { Router } from 'express';

/** Every router matches paths exactly as written: a path the log redaction knows is the path the router serves. */
export function caseSensitiveRouter(): Router {
  return Router({ caseSensitive: true });
}
