import type { Request, Response } from 'express';
import type { MemberStatus } from '../../db/rows.js';
import { AppError } from '../../http/errors.js';
import { caseSensitiveRouter } from '../../http/router.js';
import { displayName } from '../../members/lookup.js';
import { browserName } from '../../session/browser-name.js';
import { listMemberSessions } from '../../session/member-sessions.js';
import type { Runtime } from '../../runtime.js';
import type { AdminGuards } from '../guards.js';
import { isRowId } from '../../db/ids.js';
import { HISTORY_LIMIT, loadMemberDetail } from '../member-detail.js';
import { idpManagement } from '../../scim/managed-fields.js';
import { callerActions } from '../member-actions.js';
import { adminTargetRefusal } from '../admin-targets.js';
import { countByStatus, findPeople, MEMBER_STATUSES } from '../people-query.js';
import { adminTime, renderAdmin } from '../render-admin.js';


const FACT_FIELDS = ['name', 'firstName', 'lastName', 'title', 'department', 'location', 'phone', 'locale', 'managerEmail', 'startDate'] as const;

/** An assignment source for the page: its kind in the catalogues, the provider or client id (after the colon) as it is. */
function sourceLabel(source: string): { key: string; id: string } {
  const [kind, ...rest] = source.split(':');
  return { key: `admin.member.sources.${kind}`, id: rest.join(':') };
}

export function peopleFilterFrom(query: Request['query']): { status?: MemberStatus; search: string; cursor?: string } {
  const status = typeof query.status === 'string' && query.status ? query.status : undefined;
  if (status && !MEMBER_STATUSES.includes(status as MemberStatus)) {
    throw new AppError('validation_failed', 'bad status filter', `Status must be one of ${MEMBER_STATUSES.join(', ')}.`, 'admin.people.badStatus', { statuses: MEMBER_STATUSES.join(', ') });
  }
  const search = typeof query.q === 'string' ? query.q.slice(0, 200) : '';
  const cursor = typeof query.cursor === 'string' ? query.cursor : undefined;
  return { status: status as MemberStatus | undefined, search, cursor };
}

function pageUrl(filter: { status?: string; search: string }, cursor: string | null): string | null {
  if (!cursor) return null;
  const params = new URLSearchParams();
  if (filter.status) params.set('status', filter.status);
  if (filter.search) params.set('q', filter.search);
  params.set('cursor', cursor);
  return `/admin/people?${params}`;
}

export async function showMember(runtime: Runtime, req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200): Promise<void> {
  const id = String(req.params.id);
  const detail = isRowId(id) ? await loadMemberDetail(runtime, id) : null;
  if (!detail) throw new AppError('not_found', 'no such member');
  const { member } = detail;
  const managed = await idpManagement(runtime.db, member.id);
  const managedFields = new Set<string>(managed?.fields ?? []);
  renderAdmin(runtime, req, res, 'admin/member.njk', 'people', {
    title: displayName(member),
    member,
    facts: FACT_FIELDS.filter((key) => member[key]).map((key) => ({ label: `admin.member.facts.${key}`, value: member[key], managed: managedFields.has(key) })),
    idpManaged: managed && { client: managed.client, emailManaged: managedFields.has('email'), employeeIdManaged: managedFields.has('employeeId') },
    groups: detail.groups,
    assigned: detail.assigned.map((group) => ({ ...group, sourceLabels: group.sources.map(sourceLabel) })),
    canAssign: req.permissions?.has('groups:assign') ?? false,
    link: detail.link && { expiresAt: adminTime(detail.link.expiresAt) },
    accessCode: detail.accessCode && { expiresAt: adminTime(detail.accessCode.expiresAt), locked: Boolean(detail.accessCode.lockedAt), recovery: detail.accessCode.purpose === 'recovery' },
    actions: callerActions(runtime, req, member),
    adminAccountLocked: Boolean(adminTargetRefusal(runtime, req, [member])),
    sessions: (await listMemberSessions(runtime, member.id)).map((s) => ({
      browser: browserName(s.userAgent), address: s.address || req.t('admin.member.unknownAddress'), createdAt: adminTime(s.createdAt), lastSeenAt: adminTime(s.lastSeenAt),
    })),
    history: detail.history.map((entry) => ({
      time: adminTime(entry.time).concat(entry.time.toISOString().slice(16, 19)), event: entry.event, outcome: entry.outcome, method: entry.method ?? '',
      byMember: entry.actorId === member.id,
      actor: detail.actors.get(entry.actorId ?? '') ?? entry.actorId ?? '', ip: entry.ip ?? '', details: entry.details === '{}' ? '' : entry.details,
    })),
    historyTruncated: detail.history.length >= HISTORY_LIMIT,
    ...extra,
  }, status);
}

export function peoplePages(runtime: Runtime, guards: AdminGuards) {
  const router = caseSensitiveRouter();

  router.get('/admin', ...guards.read, (_req, res) => res.redirect(303, '/admin/people'));

  router.get('/admin/people', ...guards.read, async (req, res) => {
    const filter = peopleFilterFrom(req.query);
    const [page, counts] = await Promise.all([findPeople(runtime.db, filter, filter.cursor), countByStatus(runtime.db)]);
    renderAdmin(runtime, req, res, 'admin/people.njk', 'people', {
      title: 'admin.people.title',
      search: filter.search,
      status: filter.status ?? '',
      everyone: Object.values(counts).reduce((sum, count) => sum + count, 0),
      statuses: MEMBER_STATUSES.map((value) => ({ value, label: value, count: counts[value] })),
      people: page.members.map((member) => ({
        id: member.id, displayName: displayName(member), email: member.email, employeeId: member.employeeId, status: member.status,
        loginMethod: member.loginMethod, createdAt: adminTime(member.createdAt),
      })),
      next: pageUrl(filter, page.next),
      previous: pageUrl(filter, page.previous),
    });
  });

  router.get('/admin/people/:id', ...guards.read, async (req, res) => {
    const done = String(req.query.done);
    const notices = ['resend', 'revoke', 'deactivate', 'recovery-link', 'sign-out-everywhere', 'require-new-password', 'groups'];
    const notice = notices.includes(done) ? req.t(`admin.member.done.${done}`) : undefined;
    await showMember(runtime, req, res, { notice });
  });

  return router;
}
