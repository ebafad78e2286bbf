import { AppError } from '../../http/errors.js';
import { csrfProtection } from '../../http/csrf.js';
import { caseSensitiveRouter } from '../../http/router.js';
import { findMemberById } from '../../members/lookup.js';
import type { Runtime } from '../../runtime.js';
import type { AdminGuards } from '../guards.js';
import { availableActions, CONFIRMATIONS, MEMBER_ACTIONS, performAction, type MemberAction } from '../member-actions.js';
import { renderAdmin } from '../render-admin.js';
import { MEMBER_ID } from '../member-detail.js';
import { showMember } from './people.js';

export function memberActionPages(runtime: Runtime, guards: AdminGuards) {
  const router = caseSensitiveRouter();

  router.post('/admin/people/:id/:action', ...guards.manage, csrfProtection, async (req, res) => {
    const id = String(req.params.id);
    const action = String(req.params.action) as MemberAction;
    const member = MEMBER_ID.test(id) && MEMBER_ACTIONS.includes(action) ? await findMemberById(runtime.db, id) : null;
    if (!member) throw new AppError('not_found', 'no such member or action');
    if (!availableActions(runtime.config, member).some((choice) => choice.path === action)) {
      return showMember(runtime, req, res, { errors: [{ field: 'main', message: `That action is not available for a ${member.status} member.` }] }, 409);
    }
    const confirmation = action === 'revoke' || action === 'deactivate' ? CONFIRMATIONS[action] : undefined;
    if (confirmation && (req.body as Record<string, unknown>)?.confirm !== 'yes') {
      return renderAdmin(runtime, req, res, 'admin/confirm.njk', 'people', {
        title: confirmation.question, ...confirmation, action: `/admin/people/${member.id}/${action}`, back: `/admin/people/${member.id}`,
      });
    }
    try {
      const result = await performAction(runtime, action, member, req.member!.id, req);
      if (result.accessCode) return showMember(runtime, req, res, { issuedCode: result.accessCode, issuedCodeExpires: result.expiresAt });
      res.redirect(303, `/admin/people/${member.id}?done=${action}`);
    } catch (error) {
      if (error instanceof AppError && error.code === 'validation_failed') {
        return showMember(runtime, req, res, { errors: [{ field: 'main', message: error.publicMessage }] }, 400);
      }
      throw error;
    }
  });

  return router;
}
