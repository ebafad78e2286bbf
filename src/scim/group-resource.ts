import type { ScimGroupRow } from '../db/scim-rows.js';
import { characters, isSingleLine } from '../members/field-rules.js';
import { ScimError, badSyntax, badValue } from './errors.js';
import { GROUP_SCHEMA, etagOf } from './schemas.js';

type Json = Record<string, unknown>;

export const GROUP_NAME_MAX = 100;
/** The most members one request may name: a group larger than this is sent in several PATCHes (Entra ID sends few). */
export const MAX_GROUP_MEMBERS = 10_000;

export interface GroupInput {
  displayName: string;
  externalId: string | null;
  /** Member ids, each once. */
  members: string[];
}

export interface GroupMemberRef {
  id: string;
  display: string | null;
}

const isObject = (value: unknown): value is Json => Boolean(value) && typeof value === 'object' && !Array.isArray(value);
const KNOWN = new Set(['schemas', 'id', 'externalid', 'meta', 'displayname', 'members']);
const MEMBER_KNOWN = new Set(['value', 'display', 'type', '$ref']);

function get(object: Json, name: string): unknown {
  const key = Object.keys(object).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : object[key];
}

/** Reads a Group resource (POST, PUT, or a PATCH's result), or refuses it whole. */
export function readGroup(body: unknown): GroupInput {
  if (!isObject(body)) throw badSyntax('the body must be a JSON object');
  const schemas = get(body, 'schemas');
  if (!Array.isArray(schemas) || !schemas.includes(GROUP_SCHEMA)) throw badSyntax(`schemas must include ${GROUP_SCHEMA}`);
  for (const key of Object.keys(body)) if (!KNOWN.has(key.toLowerCase())) throw badSyntax(`unknown attribute "${key.slice(0, 100)}"`);
  const displayName = get(body, 'displayName');
  if (typeof displayName !== 'string' || !displayName.trim()) throw badValue('displayName is required');
  if (characters(displayName.trim()) > GROUP_NAME_MAX || !isSingleLine(displayName)) throw badValue(`displayName must be one line of at most ${GROUP_NAME_MAX} characters`);
  const externalId = get(body, 'externalId');
  if (externalId !== undefined && externalId !== null && (typeof externalId !== 'string' || externalId.length > 255)) throw badValue('externalId must be a string of at most 255 characters');
  const members = get(body, 'members') ?? [];
  if (!Array.isArray(members)) throw badValue('members must be a list');
  if (members.length > MAX_GROUP_MEMBERS) throw new ScimError(400, `a request may name at most ${MAX_GROUP_MEMBERS} members`, 'tooMany');
  const ids = new Set<string>();
  for (const member of members) {
    if (!isObject(member)) throw badValue('each member must be an object');
    for (const key of Object.keys(member)) if (!MEMBER_KNOWN.has(key.toLowerCase())) throw badSyntax(`unknown attribute "members.${key.slice(0, 100)}"`);
    const value = get(member, 'value');
    if (typeof value !== 'string' || !value) throw badValue('each member needs a value (a User id)');
    ids.add(value);
  }
  return { displayName: displayName.trim(), externalId: typeof externalId === 'string' && externalId.trim() ? externalId.trim() : null, members: [...ids] };
}

export function toScimGroup(group: ScimGroupRow, members: GroupMemberRef[], baseUrl: string): Json {
  return {
    schemas: [GROUP_SCHEMA],
    id: group.id,
    ...(group.externalId ? { externalId: group.externalId } : {}),
    displayName: group.displayName,
    members: members.map((member) => ({ value: member.id, ...(member.display ? { display: member.display } : {}), type: 'User', $ref: `${baseUrl}/scim/v2/Users/${member.id}` })),
    meta: {
      resourceType: 'Group',
      created: group.createdAt.toISOString(),
      lastModified: group.updatedAt.toISOString(),
      location: `${baseUrl}/scim/v2/Groups/${group.id}`,
      version: etagOf(group.version),
    },
  };
}
