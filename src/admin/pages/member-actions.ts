import { AppError } from '../../http/errors.js';
import { csrfProtection } from '../../http/csrf.js';
import { caseSensitiveRouter } from '../../http/router.js';
import type { Runtime } from '../../runtime.js';
import type { AdminGuards } from '../guards.js';
import { CONFIRMATIONS, performAction, resolveMemberAction } from '../member-actions.js';
import { displayName } from '../../members/lookup.js';
import { renderAdmin } from '../render-admin.js';
import { showMember } from './people.js';

export function memberActionPages(runtime: Runtime, guards: AdminGuards) {
  const router = caseSensitiveRouter();

  router.post('/admin/people/:id/:action', ...guards.manage, csrfProtection, async (req, res) => {
    let resolved;
    try {
      resolved = await resolveMemberAction(runtime, String(req.params.id), String(req.params.action));
    } catch (error) {
      // On the member's own page, with what is available shown beside the error.
      if (error instanceof AppError && error.code === 'member_action_unavailable') {
        const params = { status: req.t(`admin.status.${String(error.messageParams?.status)}`) };
        return showMember(runtime, req, res, { errors: [{ field: 'main', message: error.messageKey ?? error.publicMessage, params }] }, error.status);
      }
      throw error;
    }
    const { member, action } = resolved;
    const confirmation = action === 'revoke' || action === 'deactivate' || action === 'sign-out-everywhere' ? CONFIRMATIONS[action](displayName(member), req.t) : undefined;
    if (confirmation && (req.body as Record<string, unknown>)?.confirm !== 'yes') {
      return renderAdmin(runtime, req, res, 'admin/confirm.njk', 'people', {
        title: confirmation.question, ...confirmation, action: `/admin/people/${member.id}/${action}`, back: `/admin/people/${member.id}`,
      });
    }
    try {
      const result = await performAction(runtime, action, member, req.member!.id, req);
      if (result.accessCode) return showMember(runtime, req, res, { issuedCode: result.accessCode, issuedCodeExpires: result.expiresAt });
      if (result.recoveryCode) return showMember(runtime, req, res, { issuedCode: result.recoveryCode, issuedCodeExpires: result.expiresAt, issuedRecovery: true });
      res.redirect(303, `/admin/people/${member.id}?done=${action}`);
    } catch (error) {
      if (error instanceof AppError && error.code === 'validation_failed') {
        return showMember(runtime, req, res, { errors: [{ field: 'main', message: error.messageKey ?? error.publicMessage, params: error.messageParams }] }, 400);
      }
      throw error;
    }
  });

  return router;
}
