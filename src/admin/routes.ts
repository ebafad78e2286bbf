import type { Runtime } from '../runtime.js';
import { caseSensitiveRouter } from '../http/router.js';
import { adminApi } from './api/index.js';
import { adminGuards } from './guards.js';
import { exportPages } from './pages/export.js';
import { importPages } from './pages/import.js';
import { invitePages } from './pages/invite.js';
import { memberActionPages } from './pages/member-actions.js';
import { memberGroupRoutes } from './pages/member-groups.js';
import { peoplePages } from './pages/people.js';
import { integrationPages } from './pages/integrations.js';

/** Everything under /admin: pages and the JSON API, each route behind sign-in and its permission. */
export function adminRoutes(runtime: Runtime) {
  const router = caseSensitiveRouter();
  const guards = adminGuards(runtime);
  router.use('/admin', (_req, res, next) => {
    // Pages here show personal data and claim links: never cached, never leaked through Referer.
    res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });
    next();
  });
  // Before the member action pages, whose `/:action` would otherwise take `/groups`.
  router.use(memberGroupRoutes(runtime, guards));
  router.use(adminApi(runtime, guards));
  router.use(peoplePages(runtime, guards));
  router.use(memberActionPages(runtime, guards));
  router.use(invitePages(runtime, guards));
  router.use(importPages(runtime, guards));
  router.use(exportPages(runtime, guards));
  router.use(integrationPages(runtime, guards));
  return router;
}
