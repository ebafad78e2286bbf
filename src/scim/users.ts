import type { Request } from 'express';
import { In, type EntityManager } from 'typeorm';
import { claimUrl, issueLink } from '../claim/links.js';
import { isUniqueViolation } from '../db/errors.js';
import { isRowId } from '../db/ids.js';
import type { ClaimLinkRow, MemberRow } from '../db/rows.js';
import type { ScimClientRow, ScimUserRow } from '../db/scim-rows.js';
import { deactivateMember } from '../members/deactivate.js';
import { sendInvitation } from '../members/invitation-mail.js';
import { newMemberRow } from '../members/new-member.js';
import { isEmail, normalizeEmail } from '../members/normalize.js';
import type { Runtime } from '../runtime.js';
import { providerForEmail } from '../sso/providers.js';
import { refuseAdministratorAccount, refuseAdministratorChange } from './administrator-accounts.js';
import { ScimError, badValue, notFound } from './errors.js';
import { syncAssignedGroups } from './group-sync.js';
import { filterToSql, parseFilter, type FilterColumn } from './filter.js';
import { applyPatch, readPatch } from './patch.js';
import { ENTERPRISE_SCHEMA, USER_SCHEMA, ifMatchAllows } from './schemas.js';
import { scimActor } from './tokens.js';
import { readUser, toScimUser, type ManagerRef, type UserInput } from './user-resource.js';

type Json = Record<string, unknown>;

export interface ScimUser {
  member: MemberRow;
  link: ScimUserRow;
}

export interface Page<T> {
  total: number;
  items: T[];
}

const USER_COLUMNS: Record<string, FilterColumn> = {
  id: { sql: 'm.id', caseInsensitive: false },
  username: { sql: 'su.user_name_normalized', caseInsensitive: true },
  externalid: { sql: 'su.external_id', caseInsensitive: false },
  emails: { sql: 'm.email_normalized', caseInsensitive: true },
  'emails.value': { sql: 'm.email_normalized', caseInsensitive: true },
  displayname: { sql: 'LOWER(m.name)', caseInsensitive: true },
  'name.givenname': { sql: 'LOWER(m.first_name)', caseInsensitive: true },
  'name.familyname': { sql: 'LOWER(m.last_name)', caseInsensitive: true },
  employeenumber: { sql: 'LOWER(m.employee_id)', caseInsensitive: true },
  active: { sql: 'm.status', caseInsensitive: false, boolean: (active) => (active ? "m.status <> 'deactivated'" : "m.status = 'deactivated'") },
};

const uniqueness = (detail: string) => new ScimError(409, detail, 'uniqueness');
const stale = () => new ScimError(412, 'the resource changed since the version in If-Match', undefined, 'precondition_failed');

/** A member that this client manages, or null: members of other clients and unmanaged members are invisible. */
async function loadUser(runtime: Runtime, manager: EntityManager, client: ScimClientRow, memberId: string): Promise<ScimUser | null> {
  if (!isRowId(memberId)) return null;
  const { entities } = runtime.db;
  const link = await manager.findOneBy(entities.ScimUser, { memberId, clientId: client.id });
  if (!link) return null;
  const member = await manager.findOneBy(entities.Member, { id: memberId });
  return member ? { member, link } : null;
}

/** The manager references of many members in one query: the member each manager email belongs to. */
async function managersOf(runtime: Runtime, members: MemberRow[]): Promise<Map<string, ManagerRef>> {
  const emails = [...new Set(members.map((member) => member.managerEmail).filter((email): email is string => Boolean(email)).map(normalizeEmail))];
  if (!emails.length) return new Map();
  const managers = await runtime.db.source.manager.find(runtime.db.entities.Member, { where: { emailNormalized: In(emails) }, select: { id: true, name: true, emailNormalized: true } });
  return new Map(managers.map((manager) => [manager.emailNormalized!, { id: manager.id, name: manager.name }]));
}

export async function userResources(runtime: Runtime, users: ScimUser[]): Promise<Json[]> {
  const managers = await managersOf(runtime, users.map((user) => user.member));
  return users.map(({ member, link }) => toScimUser(member, link, runtime.config.baseUrl, member.managerEmail ? managers.get(normalizeEmail(member.managerEmail)) ?? null : null));
}

export async function getUser(runtime: Runtime, client: ScimClientRow, memberId: string): Promise<ScimUser> {
  const user = await loadUser(runtime, runtime.db.source.manager, client, memberId);
  if (!user) throw notFound(`User ${memberId.slice(0, 64)}`);
  return user;
}

export async function listUsers(runtime: Runtime, client: ScimClientRow, query: { filter?: string; startIndex: number; count: number }): Promise<Page<ScimUser>> {
  const { db } = runtime;
  const builder = db.source.manager.createQueryBuilder(db.entities.ScimUser, 'su')
    .innerJoin('members', 'm', 'm.id = su.member_id')
    .where('su.client_id = :client', { client: client.id });
  if (query.filter !== undefined) {
    const condition = filterToSql(parseFilter(query.filter), USER_COLUMNS, [USER_SCHEMA, ENTERPRISE_SCHEMA]);
    builder.andWhere(`(${condition.sql})`, condition.params);
  }
  const total = await builder.getCount();
  if (!query.count) return { total, items: [] };
  const links = await builder.orderBy('su.created_at', 'ASC').addOrderBy('su.member_id', 'ASC').offset(query.startIndex - 1).limit(query.count).getMany();
  const members = links.length ? await db.source.manager.findBy(db.entities.Member, { id: In(links.map((link) => link.memberId)) }) : [];
  const byId = new Map(members.map((member) => [member.id, member]));
  return { total, items: links.flatMap((link) => (byId.has(link.memberId) ? [{ member: byId.get(link.memberId)!, link }] : [])) };
}

/** The email of the manager the IdP names: a member id, an externalId of the same client, or an email address. */
async function managerEmail(runtime: Runtime, manager: EntityManager, client: ScimClientRow, value: string | null): Promise<string | null> {
  if (!value) return null;
  const { entities } = runtime.db;
  if (isRowId(value)) {
    const member = await manager.findOneBy(entities.Member, { id: value });
    if (member?.email) return member.email;
  }
  const link = await manager.findOneBy(entities.ScimUser, { clientId: client.id, externalId: value });
  if (link) {
    const member = await manager.findOneBy(entities.Member, { id: link.memberId });
    if (member?.email) return member.email;
  }
  return isEmail(value) ? value.trim() : null;
}

function memberFields(input: UserInput, manager: string | null): Partial<MemberRow> {
  return {
    email: input.email, emailNormalized: normalizeEmail(input.email), name: input.name, firstName: input.firstName, lastName: input.lastName,
    title: input.title, locale: input.locale, phone: input.phone, employeeId: input.employeeId, department: input.department, managerEmail: manager,
  };
}

/** Which unique value another member (or another of this client's users) holds already, for the 409's detail. */
function uniquenessError(error: unknown): ScimError {
  const text = String((error as { message?: string }).message ?? '') + String((error as { detail?: string }).detail ?? '');
  const what = /employee/.test(text) ? 'employeeNumber' : /external/.test(text) ? 'externalId' : /user_name/.test(text) ? 'userName' : 'userName or email';
  return uniqueness(`another member has this ${what}`);
}

/** The state a deactivated member returns to: the furthest it had reached, read from its own timestamps. */
function restoredStatus(member: MemberRow): MemberRow['status'] {
  return member.claimedAt ? 'claimed' : member.invitedAt ? 'invited' : 'provisioned';
}

interface Invitation {
  member: MemberRow;
  link: ClaimLinkRow;
}

async function sendInvitations(runtime: Runtime, invitations: Invitation[]): Promise<void> {
  for (const { member, link } of invitations) await sendInvitation(runtime, member, claimUrl(runtime.config.baseUrl, runtime.keys.claimLink, link.id), link.expiresAt);
}

/** Deactivates at once (links, codes and sessions end) when the IdP says the user is not active. */
async function deactivateIfInactive(runtime: Runtime, client: ScimClientRow, input: UserInput, member: MemberRow, req?: Request): Promise<void> {
  if (input.active || member.status === 'deactivated') return;
  const actorId = scimActor(client);
  await endAccess(runtime, member.id, actorId, req);
  await runtime.audit({ event: 'scim.user_deactivated', actorId, memberId: member.id, req, details: { client: client.name, from: member.status } });
}

/** Deactivation ends every session of the member on every replica (tunnels close) instead of at its next request. */
async function endAccess(runtime: Runtime, memberId: string, actorId: string, req?: Request): Promise<void> {
  await deactivateMember(runtime, memberId, actorId, req);
}

export async function createUser(runtime: Runtime, client: ScimClientRow, body: unknown, req?: Request): Promise<ScimUser> {
  const { db, config } = runtime;
  const input = readUser(body);
  const loginMethod = config.scim.loginMethod ?? config.members.defaultLoginMethod;
  if (loginMethod === 'sso' && !providerForEmail(config, input.email)) throw badValue(`no single sign-on provider serves ${input.email.split('@')[1]}`);
  const invite = config.scim.onCreate === 'invite';
  if (invite && !config.claim.methods.link) throw badValue('members cannot be invited: claim links are switched off');
  const now = runtime.now();
  const actorId = scimActor(client);
  let created: { user: ScimUser; invitation: Invitation | null };
  try {
    created = await db.transaction(async (manager) => {
      if (await manager.findOneBy(db.entities.Member, { emailNormalized: normalizeEmail(input.email) })) throw uniqueness('a member with this email exists');
      const fields = memberFields(input, await managerEmail(runtime, manager, client, input.manager));
      refuseAdministratorAccount(config, fields);
      const member = newMemberRow({
        ...fields, loginMethod, status: invite ? 'invited' : 'provisioned', invitedAt: invite ? now : null,
      }, now);
      await manager.insert(db.entities.Member, member);
      const link: ScimUserRow = {
        memberId: member.id, clientId: client.id, externalId: input.externalId, userName: input.userName,
        userNameNormalized: input.userName.toLowerCase(), version: 1, createdAt: now, updatedAt: now,
      };
      await manager.insert(db.entities.ScimUser, link);
      await runtime.audit({ event: 'member.provisioned', actorId, memberId: member.id, req }, manager);
      let invitation: Invitation | null = null;
      if (invite) {
        invitation = { member, link: await issueLink(db, manager, member.id, config.claim.linkTtl, now) };
        await runtime.audit({ event: 'member.invited', actorId, memberId: member.id, method: 'link', req, details: { reissued: false, resent: false } }, manager);
      }
      await runtime.audit({ event: 'scim.user_created', actorId, memberId: member.id, req, details: { client: client.name, status: member.status } }, manager);
      return { user: { member, link }, invitation };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw uniquenessError(error);
    throw error;
  }
  if (created.invitation && input.active) await sendInvitations(runtime, [created.invitation]);
  await deactivateIfInactive(runtime, client, input, created.user.member, req);
  return getUser(runtime, client, created.user.member.id);
}

/**
 * Writes a whole User (PUT, or the result of a PATCH) over the member, in one transaction: the IdP's values replace
 * the managed fields. The version moves only if it is still the one read (a concurrent write answers 412).
 */
async function writeUser(
  runtime: Runtime, client: ScimClientRow, memberId: string, ifMatch: string | undefined,
  next: (current: ScimUser, manager: EntityManager) => Promise<UserInput>, req?: Request,
): Promise<ScimUser> {
  const { db, config } = runtime;
  const actorId = scimActor(client);
  const now = runtime.now();
  let result: { member: MemberRow; input: UserInput; invitation: Invitation | null };
  try {
    result = await db.transaction(async (manager) => {
      const current = await loadUser(runtime, manager, client, memberId);
      if (!current) throw notFound(`User ${memberId.slice(0, 64)}`);
      if (!ifMatchAllows(ifMatch, current.link.version)) throw stale();
      const input = await next(current, manager);
      const fields = memberFields(input, await managerEmail(runtime, manager, client, input.manager));
      const changed = (Object.keys(fields) as Array<keyof MemberRow>).filter((key) => key !== 'emailNormalized' && fields[key] !== current.member[key]);
      let status = current.member.status;
      let invitation: Invitation | null = null;
      const restore = input.active && status === 'deactivated';
      refuseAdministratorChange(config, { before: current.member, after: fields, changesAccess: restore || (!input.active && status !== 'deactivated') });
      const statusFields: Partial<MemberRow> = {};
      if (restore) {
        status = restoredStatus(current.member);
        Object.assign(statusFields, { status, deactivatedAt: null });
        if (status === 'invited' && config.claim.methods.link) {
          statusFields.invitedAt = now;
          invitation = { member: { ...current.member, ...fields, status }, link: await issueLink(db, manager, memberId, config.claim.linkTtl, now) };
        }
      }
      const moved = await manager.update(db.entities.ScimUser, { memberId, clientId: client.id, version: current.link.version }, {
        version: current.link.version + 1, updatedAt: now, externalId: input.externalId, userName: input.userName, userNameNormalized: input.userName.toLowerCase(),
      });
      if (moved.affected !== 1) throw stale();
      await manager.update(db.entities.Member, { id: memberId }, { ...fields, ...statusFields, updatedAt: now });
      if (changed.length || input.externalId !== current.link.externalId || input.userName !== current.link.userName) {
        await runtime.audit({ event: 'scim.user_updated', actorId, memberId, req, details: { client: client.name, fields: changed.map(String) } }, manager);
      }
      if (restore) await runtime.audit({ event: 'scim.user_reactivated', actorId, memberId, req, details: { client: client.name, to: status } }, manager);
      return { member: { ...current.member, ...fields, ...statusFields }, input, invitation };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw uniquenessError(error);
    throw error;
  }
  runtime.identities.forget(memberId);
  if (result.invitation) await sendInvitations(runtime, [result.invitation]);
  await deactivateIfInactive(runtime, client, result.input, result.member, req);
  return getUser(runtime, client, memberId);
}

export function replaceUser(runtime: Runtime, client: ScimClientRow, memberId: string, body: unknown, ifMatch?: string, req?: Request): Promise<ScimUser> {
  const input = readUser(body);
  return writeUser(runtime, client, memberId, ifMatch, async (current) => {
    const id = (body as Json).id;
    if (id !== undefined && id !== current.member.id) throw new ScimError(400, 'id cannot be changed', 'mutability');
    return input;
  }, req);
}

/** PATCH: the operations applied (scim-patch) to the resource as it is now, and the result written as a PUT would. */
export function patchUser(runtime: Runtime, client: ScimClientRow, memberId: string, body: unknown, ifMatch?: string, req?: Request): Promise<ScimUser> {
  const operations = readPatch(body);
  return writeUser(runtime, client, memberId, ifMatch, async (current) => {
    const [resource] = await userResources(runtime, [current]);
    const patched = applyPatch(resource!, operations);
    if (patched.id !== current.member.id) throw new ScimError(400, 'id cannot be changed', 'mutability');
    return readUser(patched);
  }, req);
}

/**
 * DELETE never removes the member (its audit trail stays): it is deactivated, then detached from the client, which
 * no longer sees it. Its memberships of the client's groups end with the link.
 */
export async function deleteUser(runtime: Runtime, client: ScimClientRow, memberId: string, ifMatch?: string, req?: Request): Promise<void> {
  const { db } = runtime;
  const user = await getUser(runtime, client, memberId);
  if (!ifMatchAllows(ifMatch, user.link.version)) throw stale();
  refuseAdministratorChange(runtime.config, { before: user.member, after: user.member, changesAccess: true });
  const actorId = scimActor(client);
  if (user.member.status !== 'deactivated') {
    await endAccess(runtime, memberId, actorId, req);
    await runtime.audit({ event: 'scim.user_deactivated', actorId, memberId, req, details: { client: client.name, from: user.member.status } });
  }
  const groupIds = await groupIdsOf(runtime, db.source.manager, client, memberId);
  await db.transaction(async (manager) => {
    const removed = await manager.delete(db.entities.ScimUser, { memberId, clientId: client.id, version: user.link.version });
    if (removed.affected !== 1) throw stale();
    if (groupIds.length) {
      await manager.delete(db.entities.ScimGroupMember, { memberId, groupId: In(groupIds) });
      await syncAssignedGroups(runtime, manager, client, [memberId]);
    }
    await runtime.audit({ event: 'scim.user_deleted', actorId, memberId, req, details: { client: client.name } }, manager);
  });
}

async function groupIdsOf(runtime: Runtime, manager: EntityManager, client: ScimClientRow, memberId: string): Promise<string[]> {
  const { entities } = runtime.db;
  const memberships = await manager.findBy(entities.ScimGroupMember, { memberId });
  if (!memberships.length) return [];
  const groups = await manager.findBy(entities.ScimGroup, { id: In(memberships.map((m) => m.groupId)), clientId: client.id });
  return groups.map((group) => group.id);
}
