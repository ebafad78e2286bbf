import { AppError } from '../../http/errors.js';
import { csrfProtection } from '../../http/csrf.js';
import { caseSensitiveRouter } from '../../http/router.js';
import type { Runtime } from '../../runtime.js';
import type { AdminGuards } from '../guards.js';
import { inviteOne, readInviteForm } from '../invite-one.js';
import { renderAdmin } from '../render-admin.js';

export function invitePages(runtime: Runtime, guards: AdminGuards) {
  const router = caseSensitiveRouter();
  const page = (values: Record<string, string>, extra: Record<string, unknown> = {}) => ({
    title: 'admin.invite.title', values, defaultLoginMethod: runtime.config.members.defaultLoginMethod, ...extra,
  });

  router.get('/admin/invite', ...guards.manage, (req, res) => renderAdmin(runtime, req, res, 'admin/invite.njk', 'invite', page({})));

  router.post('/admin/invite', ...guards.manage, csrfProtection, async (req, res) => {
    const form = readInviteForm(req.body);
    if ('errors' in form) return renderAdmin(runtime, req, res, 'admin/invite.njk', 'invite', page(form.values, { errors: form.errors }), 400);
    try {
      const result = await inviteOne(runtime, form.input, req.member!.id, req);
      renderAdmin(runtime, req, res, 'admin/invite.njk', 'invite', page({}, { result }));
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'validation_failed') throw error;
      const field = form.input.email ? 'email' : 'employeeId';
      renderAdmin(runtime, req, res, 'admin/invite.njk', 'invite', page(form.values, { errors: [{ field, message: error.messageKey ?? error.publicMessage, params: error.messageParams }] }), 400);
    }
  });

  return router;
}
