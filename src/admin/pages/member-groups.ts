import { csrfProtection } from '../../http/csrf.js';
import { AppError } from '../../http/errors.js';
import { caseSensitiveRouter } from '../../http/router.js';
import type { Runtime } from '../../runtime.js';
import type { AdminGuards } from '../guards.js';
import { changeAssignedGroups, namesFrom } from '../member-groups.js';
import { showMember } from './people.js';

/** Assign and unassign groups: the form on the member's page (POST, no script); the JSON API has its own operation. */
export function memberGroupRoutes(runtime: Runtime, guards: AdminGuards) {
  const router = caseSensitiveRouter();

  router.post('/admin/people/:id/groups', ...guards.assign, csrfProtection, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    try {
      await changeAssignedGroups(runtime, String(req.params.id), { assign: namesFrom(body.assign), unassign: namesFrom(body.unassign) }, req.member!.id, req);
    } catch (error) {
      if (error instanceof AppError && error.code === 'validation_failed') {
        return showMember(runtime, req, res, { errors: [{ field: 'assign', message: error.publicMessage }] }, 400);
      }
      throw error;
    }
    res.redirect(303, `/admin/people/${String(req.params.id)}?done=groups`);
  });


  return router;
}
