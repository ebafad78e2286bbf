import { z } from 'zod';
import { isRowId } from '../../db/ids.js';
import type { MemberRow } from '../../db/rows.js';
import { AppError } from '../../http/errors.js';
import { GROUP_NAME_MAX } from '../../groups/assigned.js';
import { idpManagement } from '../../scim/managed-fields.js';
import { browserName } from '../../session/browser-name.js';
import { listMemberSessions } from '../../session/member-sessions.js';
import { actorOf } from '../api-caller.js';
import { inviteOne, readInviteForm } from '../invite-one.js';
import { callerActions, MEMBER_ACTIONS, performAction, resolveMemberAction } from '../member-actions.js';
import { loadMemberDetail } from '../member-detail.js';
import { ADMIN_GROUPS_MAX, changeAssignedGroups, namesFrom } from '../member-groups.js';
import { profileChangeSchema, updateProfile } from '../member-profile.js';
import { countByStatus, decodeCursor, findPeople, MEMBER_STATUSES, PAGE_SIZE } from '../people-query.js';
import { operation, type Operation } from './operation.js';
import { assignedGroupsSchema, auditEntrySchema, idParams, memberSchema, memberStatusSchema, time } from './schemas.js';

/** A member as the API shows it: never the password hash. */
function publicMember(member: MemberRow) {
  const { passwordHash: _hash, ...shown } = member;
  return shown;
}


const PAGE_SIZE_MAX = 200;

const listQuery = z.object({
  status: z.union([z.enum(['all', '']), memberStatusSchema]).optional().describe('Only members in this status (`all` or empty: every status)'),
  q: z.string().max(200).optional().describe('Part of a name, email, username or employee ID, without case'),
  group: z.string().max(GROUP_NAME_MAX).optional().describe('Only members assigned this group (any source)'),
  // A corrupt cursor is refused: answering page 1 would restart a sync silently, and could loop it.
  cursor: z.string().max(200).refine((cursor) => isRowId(decodeCursor(cursor)?.position.id ?? ''), 'is not a `next` or `previous` of a page')
    .optional().describe('`next` or `previous` of another page'),
  limit: z.coerce.number().int().min(1).max(PAGE_SIZE_MAX).default(PAGE_SIZE).describe('Members a page'),
});

const listAnswer = z.object({
  members: z.array(memberSchema),
  next: z.string().nullable(),
  previous: z.string().nullable(),
  counts: z.object(Object.fromEntries(MEMBER_STATUSES.map((status) => [status, z.number().int()])) as Record<(typeof MEMBER_STATUSES)[number], z.ZodNumber>)
    .describe('Members in each status, whatever the filter'),
}).meta({ id: 'MemberPage' });

const detailAnswer = z.object({
  member: memberSchema,
  groups: z.array(z.string()),
  idpManaged: z.object({ client: z.string(), fields: z.array(z.string()) }).nullable(),
  chosenGroups: z.array(z.string()),
  assignedGroups: assignedGroupsSchema,
  claimLink: z.object({ expiresAt: time }).nullable(),
  accessCode: z.object({ expiresAt: time, locked: z.boolean(), purpose: z.enum(['claim', 'reaccept', 'recover']) }).nullable(),
  actions: z.array(z.enum(MEMBER_ACTIONS)).describe('The actions this caller may take on the member now: none without accounts:manage, none on an administrator account it may not manage.'),
  passwordChangeRequired: z.boolean(),
  sessions: z.array(z.object({ createdAt: time, lastSeenAt: time, address: z.string().nullable(), userAgent: z.string().nullable(), browser: z.string() })),
  history: z.array(auditEntrySchema),
}).meta({ id: 'MemberDetail' });

const inviteBody = z.strictObject({
  email: z.string().max(320).optional(),
  employeeId: z.string().max(64).optional(),
  name: z.string().max(200).optional(),
  loginMethod: z.enum(['password', 'sso']).optional(),
}).refine((body) => body.email || body.employeeId, { message: 'Enter an email, or an employee ID for someone without email.', when: (payload) => !payload.issues.length })
  .describe('An email (invited by link) or an employee ID (invited with an access code), not both');

const invited = z.object({
  id: z.string(), email: z.string().optional(), employeeId: z.string().optional(), status: z.string(),
  claimUrl: z.string().optional(), accessCode: z.string().optional(), expiresAt: time,
}).meta({ id: 'Invitation' });

const groupName = z.string().max(GROUP_NAME_MAX);
const groupNames = z.union([
  z.string().max(ADMIN_GROUPS_MAX * (GROUP_NAME_MAX + 1)).describe(`Names separated by commas, each at most ${GROUP_NAME_MAX} characters`),
  z.array(groupName).max(ADMIN_GROUPS_MAX),
]).optional().describe(`At most ${ADMIN_GROUPS_MAX} names a call`);
const groupsBody = z.object({ assign: groupNames, unassign: groupNames }).describe('Group names: a list, or one text with names separated by commas');

const actionAnswer = z.object({
  action: z.enum(MEMBER_ACTIONS), memberId: z.string(), sessionsEnded: z.number().int().optional(),
  accessCode: z.string().optional(), recoveryCode: z.string().optional(), expiresAt: time.optional(),
}).meta({ id: 'MemberActionResult' });

const ACTION_SUMMARIES: Record<(typeof MEMBER_ACTIONS)[number], string> = {
  resend: 'Send or resend the invitation email',
  'access-code': 'Issue a new access code (returned once)',
  'recovery-link': 'Send a password recovery link',
  'recovery-code': 'Issue a recovery code (returned once)',
  revoke: 'Revoke the invitation',
  deactivate: 'Deactivate the member and end their sessions',
  'sign-out-everywhere': 'End every session of the member',
  'require-new-password': 'Require a new password at next sign-in',
};
const camel = (name: string) => name.replace(/-(\w)/g, (_all, letter: string) => letter.toUpperCase());

export const memberOperations: Operation[] = [
  operation({
    id: 'listMembers', method: 'get', path: '/admin/api/members', tag: 'members', permission: 'accounts:read',
    summary: 'Members, newest first, 50 a page unless `limit` says otherwise (keyset pagination), with the count in each status',
    query: listQuery, responses: { 200: listAnswer },
    async handler({ runtime, query }) {
      const filter = { status: query.status && query.status !== 'all' ? query.status : undefined, search: query.q ?? '', group: query.group || undefined };
      const [page, counts] = await Promise.all([findPeople(runtime.db, filter, query.cursor, query.limit), countByStatus(runtime.db)]);
      return { body: { members: page.members.map(publicMember), next: page.next, previous: page.previous, counts } };
    },
  }),
  operation({
    id: 'getMember', method: 'get', path: '/admin/api/members/:id', tag: 'members', permission: 'accounts:read',
    summary: 'One member: groups, claim state, sessions, available actions and history',
    params: idParams, responses: { 200: detailAnswer }, errors: [404],
    async handler({ runtime, params, req }) {
      const detail = isRowId(params.id) ? await loadMemberDetail(runtime, params.id) : null;
      if (!detail) throw new AppError('not_found', 'no such member');
      return {
        body: {
          member: publicMember(detail.member),
          groups: detail.groups,
          idpManaged: await idpManagement(runtime.db, detail.member.id),
          chosenGroups: detail.groups,
          assignedGroups: detail.assigned,
          claimLink: detail.link && { expiresAt: detail.link.expiresAt },
          accessCode: detail.accessCode && { expiresAt: detail.accessCode.expiresAt, locked: Boolean(detail.accessCode.lockedAt), purpose: detail.accessCode.purpose },
          actions: callerActions(runtime, req, detail.member).map((choice) => choice.path),
          passwordChangeRequired: Boolean(detail.member.passwordChangeRequiredAt),
          sessions: (await listMemberSessions(runtime, detail.member.id)).map((s) => ({
            createdAt: s.createdAt, lastSeenAt: s.lastSeenAt, address: s.address, userAgent: s.userAgent, browser: browserName(s.userAgent),
          })),
          history: detail.history.map((entry) => ({ ...entry, id: String(entry.id), details: JSON.parse(entry.details) as unknown })),
        },
      };
    },
  }),
  operation({
    id: 'inviteMember', method: 'post', path: '/admin/api/members', tag: 'members', permission: 'accounts:manage',
    summary: 'Invite one member by email (claim link) or employee ID (access code); 409 if they are already invited, claimed or deactivated',
    // The invite form's own reader checks the fields, with the pages' messages; the schema documents them.
    responses: { 201: invited }, errors: [409],
    async handler({ req, runtime }) {
      const form = readInviteForm(req.body);
      if ('errors' in form) {
        const english = runtime.messages.forLocale('en');
        throw new AppError('validation_failed', 'bad invite', form.errors.map((error) => english(error.message)).join(' '));
      }
      return { status: 201, body: await inviteOne(runtime, form.input, actorOf(req), req, { refuseExisting: true }) };
    },
    body: inviteBody,
  }),
  operation({
    id: 'updateMember', method: 'patch', path: '/admin/api/members/:id', tag: 'members', permission: 'accounts:manage',
    summary: 'Change profile fields (not those a SCIM client manages); null or empty text clears a field',
    params: idParams, body: profileChangeSchema, responses: { 200: z.object({ member: memberSchema }) }, errors: [404, 409],
    async handler({ req, runtime, params, body }) {
      return { body: { member: publicMember(await updateProfile(runtime, params.id, body, actorOf(req), req)) } };
    },
  }),
  operation({
    id: 'assignMemberGroups', method: 'post', path: '/admin/api/members/:id/groups', tag: 'members', permission: 'groups:assign',
    summary: 'Assign and unassign groups (source admin)',
    params: idParams, body: groupsBody,
    responses: { 200: z.object({ id: z.string(), added: z.array(z.string()), removed: z.array(z.string()), assignedGroups: assignedGroupsSchema }).meta({ id: 'GroupChange' }) }, errors: [404],
    async handler({ req, runtime, params, body }) {
      return { body: await changeAssignedGroups(runtime, params.id, { assign: namesFrom(body.assign), unassign: namesFrom(body.unassign) }, actorOf(req), req) };
    },
  }),
  ...MEMBER_ACTIONS.map((action) => operation({
    id: camel(`member-${action}`), method: 'post', path: `/admin/api/members/:id/${action}`, tag: 'members', permission: 'accounts:manage',
    summary: ACTION_SUMMARIES[action], params: idParams, responses: { 200: actionAnswer }, errors: [404, 409],
    async handler({ req, runtime, params }) {
      const { member } = await resolveMemberAction(runtime, params.id, action);
      return { body: await performAction(runtime, action, member, actorOf(req), req) };
    },
  })),
];
