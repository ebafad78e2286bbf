import { csrfProtection } from '../../http/csrf.js';
import { caseSensitiveRouter } from '../../http/router.js';
import type { Runtime } from '../../runtime.js';
import { listTokens, revokeToken } from '../../tokens/tokens.js';
import { listDeliveries } from '../../webhooks/deliveries.js';
import { publicEndpoint, setEndpointState } from '../../webhooks/endpoints.js';
import type { AdminGuards } from '../guards.js';
import { adminTime, renderAdmin } from '../render-admin.js';
import { isSequenceCursor } from '../../db/ids.js';

/** /admin/integrations: webhook endpoints and their delivery attempts, service tokens (list, revoke). */
export function integrationPages(runtime: Runtime, guards: AdminGuards) {
  const router = caseSensitiveRouter();
  const { db } = runtime;

  router.get('/admin/integrations', ...guards.read, async (req, res) => {
    const endpoints = (await db.source.manager.find(db.entities.WebhookEndpoint, { order: { name: 'ASC' } })).map(publicEndpoint);
    const page = await listDeliveries(runtime, { limit: 50, before: typeof req.query.before === 'string' && isSequenceCursor(req.query.before) ? req.query.before : undefined });
    const done = typeof req.query.done === 'string' && ['revoked', 'enabled', 'disabled'].includes(req.query.done) ? req.query.done : undefined;
    renderAdmin(runtime, req, res, 'admin/integrations.njk', 'integrations', {
      title: 'integrations.title',
      notice: done ? req.t(`integrations.done.${done}`) : undefined,
      endpoints: endpoints.map((endpoint) => ({ ...endpoint, failingSince: adminTime(endpoint.failingSince), disabledAt: adminTime(endpoint.disabledAt) })),
      deliveries: page.deliveries.map((delivery) => ({
        ...delivery, createdAt: adminTime(new Date(delivery.createdAt)), nextAttemptAt: delivery.nextAttemptAt ? adminTime(new Date(delivery.nextAttemptAt)) : '',
        last: delivery.tries.at(-1),
      })),
      next: page.next,
      tokens: (await listTokens(runtime)).map((token) => ({
        ...token, createdAt: adminTime(new Date(token.createdAt)), expiresAt: token.expiresAt ? adminTime(new Date(token.expiresAt)) : '',
        lastUsedAt: token.lastUsedAt ? adminTime(new Date(token.lastUsedAt)) : '', revokedAt: token.revokedAt ? adminTime(new Date(token.revokedAt)) : '',
      })),
    });
  });

  router.post('/admin/integrations/tokens/:token/revoke', ...guards.manage, csrfProtection, async (req, res) => {
    await revokeToken(runtime, String(req.params.token), req.member!.id, req);
    res.redirect(303, '/admin/integrations?done=revoked');
  });

  router.post('/admin/integrations/webhooks/:endpoint/:state', ...guards.manage, csrfProtection, async (req, res, next) => {
    const state = req.params.state === 'enable' ? 'active' : req.params.state === 'disable' ? 'disabled' : undefined;
    if (!state) return next();
    await setEndpointState(runtime, String(req.params.endpoint), state, req.member!.id, req);
    res.redirect(303, `/admin/integrations?done=${state === 'active' ? 'enabled' : 'disabled'}`);
  });

  return router;
}
