import express from 'express';
import { csrf } from '../http/csrf.js';
import { AppError } from '../http/errors.js';
import { caseSensitiveRouter } from '../http/router.js';
import type { MemberRow } from '../db/rows.js';
import { exportFilterSchema } from '../export-jobs/filter.js';
import { requestExport } from '../export-jobs/request.js';
import { importMembers } from '../import/import-members.js';
import { browserName } from '../session/browser-name.js';
import { listMemberSessions } from '../session/member-sessions.js';
import type { Runtime } from '../runtime.js';
import type { AdminGuards } from './guards.js';
import { inviteOne, readInviteForm } from './invite-one.js';
import { loadMemberDetail } from './member-detail.js';
import { isRowId } from '../db/ids.js';
import { idpManagement } from '../scim/managed-fields.js';
import { availableActions, performAction, resolveMemberAction } from './member-actions.js';
import { peopleFilterFrom } from './pages/people.js';
import { countByStatus, findPeople } from './people-query.js';
import { actorOf, csrfUnlessToken } from './api-caller.js';
import { publicToken } from '../tokens/tokens.js';
import { integrationApi } from './integration-api.js';

/** A member as the API shows it: never the password hash. */
function publicMember(member: MemberRow) {
  const { passwordHash: _hash, ...shown } = member;
  return shown;
}

/**
 * The admin API: JSON, the same sign-in and permissions as the pages. Scripts using the session cookie send the
 * CSRF token from GET /admin/api/session in `x-csrf-token` with every POST.
 */
export function adminApi(runtime: Runtime, guards: AdminGuards) {
  const router = caseSensitiveRouter();
  const { db } = runtime;

  const { read, manage } = guards.api;

  router.get('/admin/api/session', ...read, (req, res) => {
    if (req.serviceToken) {
      return void res.set('Cache-Control', 'no-store').json({ token: publicToken(req.serviceToken), permissions: [...req.permissions!] });
    }
    res.set('Cache-Control', 'no-store').json({
      member: { id: req.member!.id, email: req.member!.email, employeeId: req.member!.employeeId },
      permissions: [...req.permissions!],
      csrfToken: csrf.generateToken(req),
    });
  });

  router.get('/admin/api/members', ...read, async (req, res) => {
    const filter = peopleFilterFrom(req.query);
    const [page, counts] = await Promise.all([findPeople(db, filter, filter.cursor), countByStatus(db)]);
    res.set('Cache-Control', 'no-store').json({ members: page.members.map(publicMember), next: page.next, previous: page.previous, counts });
  });

  router.get('/admin/api/members/:id', ...read, async (req, res) => {
    const id = String(req.params.id);
    const detail = isRowId(id) ? await loadMemberDetail(runtime, id) : null;
    if (!detail) throw new AppError('not_found', 'no such member');
    res.set('Cache-Control', 'no-store').json({
      member: publicMember(detail.member),
      groups: detail.groups,
      idpManaged: await idpManagement(db, detail.member.id),
      chosenGroups: detail.groups,
      assignedGroups: detail.assigned,
      claimLink: detail.link && { expiresAt: detail.link.expiresAt },
      accessCode: detail.accessCode && { expiresAt: detail.accessCode.expiresAt, locked: Boolean(detail.accessCode.lockedAt), purpose: detail.accessCode.purpose },
      actions: availableActions(runtime.config, detail.member).map((choice) => choice.path),
      passwordChangeRequired: Boolean(detail.member.passwordChangeRequiredAt),
      sessions: (await listMemberSessions(runtime, detail.member.id)).map((s) => ({
        createdAt: s.createdAt, lastSeenAt: s.lastSeenAt, address: s.address, userAgent: s.userAgent, browser: browserName(s.userAgent),
      })),
      history: detail.history.map((entry) => ({ ...entry, details: JSON.parse(entry.details) as unknown })),
    });
  });

  router.post('/admin/api/members', ...manage, csrfUnlessToken, async (req, res) => {
    const form = readInviteForm(req.body);
    if ('errors' in form) {
      const english = runtime.messages.forLocale('en');
      throw new AppError('validation_failed', 'bad invite', form.errors.map((error) => english(error.message)).join(' '));
    }
    res.status(201).json(await inviteOne(runtime, form.input, actorOf(req), req));
  });

  router.post('/admin/api/members/:id/:action', ...manage, csrfUnlessToken, async (req, res) => {
    const { member, action } = await resolveMemberAction(runtime, String(req.params.id), String(req.params.action));
    res.json(await performAction(runtime, action, member, actorOf(req), req));
  });

  // The CSV is the request body; its size is checked while it arrives.
  const csvBody = express.raw({ type: ['text/csv', 'text/plain', 'application/octet-stream'], limit: runtime.config.imports.maxBytes });
  router.post('/admin/api/imports', ...manage, csrfUnlessToken, csvBody, async (req, res) => {
    if (!Buffer.isBuffer(req.body) || !req.body.length) throw new AppError('validation_failed', 'no csv body', 'Send the CSV file as the request body (Content-Type: text/csv).');
    const invite = req.query.invite === 'now' ? 'now' : 'later';
    const dryRun = req.query.dryRun === 'true' || req.query.dryRun === '1';
    res.json(await importMembers(runtime, req.body, { actorId: actorOf(req), invite, dryRun, maxBytes: runtime.config.imports.maxBytes, req }));
  });

  router.post('/admin/api/exports', ...manage, csrfUnlessToken, guards.exportQuota, async (req, res) => {
    if (req.serviceToken) throw new AppError('forbidden', 'export by token', 'Exports are mailed to the admin who asks for them: request one signed in, or run `claimgate export`.');
    const parsed = exportFilterSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw new AppError('validation_failed', 'bad export filter', 'status must be all, provisioned, invited, claimed or deactivated; search at most 200 characters.');
    const job = await requestExport(runtime, req.member!, parsed.data, req);
    res.status(202).json({ id: job.id, state: job.state });
  });

  router.get('/admin/api/exports/:id', ...manage, async (req, res) => {
    const id = String(req.params.id);
    const job = isRowId(id) && req.member ? await db.source.manager.findOneBy(db.entities.ExportJob, { id, adminId: req.member.id }) : null;
    if (!job) throw new AppError('not_found', 'no such export for this admin');
    const { filter, adminId: _admin, ...shown } = job;
    res.set('Cache-Control', 'no-store').json({ ...shown, filter: JSON.parse(filter) as unknown });
  });

  router.use(integrationApi(runtime, guards));
  return router;
}
