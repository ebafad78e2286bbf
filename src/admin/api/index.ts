import type { Runtime } from '../../runtime.js';
import { sessionCookieName } from '../../session/session.js';
import type { AdminGuards } from '../guards.js';
import { auditOperations } from './audit.js';
import { exportOperations } from './exports.js';
import { importOperations } from './imports.js';
import { memberOperations } from './members.js';
import { mountOperations } from './mount.js';
import { openApiDocument } from './openapi.js';
import type { Operation } from './operation.js';
import { sessionOperations } from './session.js';
import { tokenOperations } from './tokens.js';
import { webhookOperations } from './webhooks.js';

/** Every operation of the admin API, in mounting order (literal paths before the `:param` ones they would match). */
const ADMIN_OPERATIONS: readonly Operation[] = [
  ...sessionOperations, ...memberOperations, ...importOperations, ...exportOperations, ...auditOperations, ...webhookOperations, ...tokenOperations,
];

const OPENAPI_PATH = '/admin/api/openapi.json';

/** The admin API's OpenAPI 3.1 document for this deployment. */
function adminApiDocument(runtime: Runtime) {
  return openApiDocument(ADMIN_OPERATIONS, {
    version: '1', serverUrl: runtime.config.baseUrl.replace(/\/$/, ''), cookieName: sessionCookieName(runtime.config.baseUrl.startsWith('https://')),
  });
}

/**
 * The admin API: JSON, the same sign-in and permissions as the pages, or a service token. Its description is public
 * (it holds nothing the source does not), so client generators can fetch it without a token.
 */
export function adminApi(runtime: Runtime, guards: AdminGuards) {
  const router = mountOperations(runtime, guards, ADMIN_OPERATIONS);
  const document = JSON.stringify(adminApiDocument(runtime));
  router.get(OPENAPI_PATH, (_req, res) => {
    res.status(200).type('application/json').set('Cache-Control', 'no-cache').send(document);
  });
  return router;
}
