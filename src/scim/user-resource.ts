import type { MemberRow } from '../db/rows.js';
import type { ScimUserRow } from '../db/scim-rows.js';
import { FIELD_LENGTHS, characters, isLocale, isSingleLine, profileFieldProblem } from '../members/field-rules.js';
import { isEmail, normalizeEmployeeId } from '../members/normalize.js';
import { badSyntax, badValue } from './errors.js';
import { ENTERPRISE_SCHEMA, USER_SCHEMA, etagOf } from './schemas.js';

type Json = Record<string, unknown>;

/** What a User resource sets on a member: the fields the IdP manages (it wins over an admin's edit). */
export interface UserInput {
  userName: string;
  externalId: string | null;
  active: boolean;
  email: string;
  name: string | null;
  firstName: string | null;
  lastName: string | null;
  title: string | null;
  locale: string | null;
  phone: string | null;
  employeeId: string | null;
  department: string | null;
  /** The manager as the IdP names it (a member id, an externalId of the same client, or an email). */
  manager: string | null;
}

/** The member columns SCIM writes; the admin member page marks them as managed by the IdP. */
export const IDP_MANAGED_FIELDS = ['email', 'name', 'firstName', 'lastName', 'title', 'locale', 'phone', 'employeeId', 'department', 'managerEmail'] as const;

// Attributes of the two schemas, lower-case: anything else in a request is refused. Those claimgate has no column
// for (addresses, timezone, …) are accepted and not kept, since IdPs send them by default.
const CORE = new Set([
  'schemas', 'id', 'externalid', 'meta', 'username', 'name', 'displayname', 'nickname', 'profileurl', 'title', 'usertype',
  'preferredlanguage', 'locale', 'timezone', 'active', 'password', 'emails', 'phonenumbers', 'ims', 'photos', 'addresses', 'groups',
  'entitlements', 'roles', 'x509certificates',
]);
const NAME_PARTS = new Set(['formatted', 'familyname', 'givenname', 'middlename', 'honorificprefix', 'honorificsuffix']);
const ENTERPRISE = new Set(['employeenumber', 'costcenter', 'organization', 'division', 'department', 'manager']);

/** Looks a key up without regard to case, as SCIM attribute names are case-insensitive. */
function get(object: Json, name: string): unknown {
  const key = Object.keys(object).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : object[key];
}

const isObject = (value: unknown): value is Json => Boolean(value) && typeof value === 'object' && !Array.isArray(value);

function text(value: unknown, attribute: string, max: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw badValue(`${attribute} must be a string`);
  const trimmed = value.trim();
  if (!trimmed) return null;
  if (characters(trimmed) > max) throw badValue(`${attribute} is longer than ${max} characters`);
  if (!isSingleLine(trimmed)) throw badValue(`${attribute} must be one line without control characters`);
  return trimmed;
}

/** Entra ID sends booleans as "True" / "False" strings. */
export function booleanOf(value: unknown, attribute: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
  throw badValue(`${attribute} must be true or false`);
}

/** The preferred value of a multi-valued attribute: type work, else primary, else the first. */
function preferred(value: unknown, attribute: string): unknown {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw badValue(`${attribute} must be a list`);
  if (value.length > 20) throw badValue(`${attribute} has more than 20 values`);
  for (const item of value) if (!isObject(item)) throw badValue(`each of ${attribute} must be an object`);
  const items = value as Json[];
  const pick = items.find((item) => String(get(item, 'type') ?? '').toLowerCase() === 'work')
    ?? items.find((item) => get(item, 'primary') === true || String(get(item, 'primary')).toLowerCase() === 'true')
    ?? items[0];
  return pick && get(pick, 'value');
}

function checkKnown(object: Json, known: Set<string>, where: string): void {
  for (const key of Object.keys(object)) {
    if (key.toLowerCase() === ENTERPRISE_SCHEMA.toLowerCase()) continue;
    if (!known.has(key.toLowerCase())) throw badSyntax(`unknown attribute "${key.slice(0, 100)}"${where}`);
  }
}

/** Reads a User resource (POST, PUT, or the result of a PATCH) into the member fields, or refuses it whole. */
export function readUser(body: unknown): UserInput {
  if (!isObject(body)) throw badSyntax('the body must be a JSON object');
  const schemas = get(body, 'schemas');
  if (!Array.isArray(schemas) || !schemas.some((schema) => schema === USER_SCHEMA)) throw badSyntax(`schemas must include ${USER_SCHEMA}`);
  for (const schema of schemas) if (schema !== USER_SCHEMA && schema !== ENTERPRISE_SCHEMA) throw badValue(`unknown schema "${String(schema).slice(0, 100)}"`);
  checkKnown(body, CORE, '');
  const name = get(body, 'name');
  if (name !== undefined && name !== null && !isObject(name)) throw badValue('name must be an object');
  const nameParts = isObject(name) ? name : {};
  checkKnown(nameParts, NAME_PARTS, ' in name');
  const extension = get(body, ENTERPRISE_SCHEMA);
  if (extension !== undefined && extension !== null && !isObject(extension)) throw badValue(`${ENTERPRISE_SCHEMA} must be an object`);
  const enterprise = isObject(extension) ? extension : {};
  checkKnown(enterprise, ENTERPRISE, ` in ${ENTERPRISE_SCHEMA}`);

  const userName = text(get(body, 'userName'), 'userName', FIELD_LENGTHS.email);
  if (!userName) throw badValue('userName is required');
  const email = text(preferred(get(body, 'emails'), 'emails'), 'emails.value', FIELD_LENGTHS.email) ?? (isEmail(userName) ? userName : null);
  if (!email || !isEmail(email)) throw badValue('an email address is required: in emails (type work or primary) or as the userName');

  const firstName = text(get(nameParts, 'givenName'), 'name.givenName', FIELD_LENGTHS.firstName);
  const lastName = text(get(nameParts, 'familyName'), 'name.familyName', FIELD_LENGTHS.lastName);
  const displayName = text(get(body, 'displayName'), 'displayName', FIELD_LENGTHS.name)
    ?? text(get(nameParts, 'formatted'), 'name.formatted', FIELD_LENGTHS.name)
    ?? ([firstName, lastName].filter(Boolean).join(' ') || null);

  const locale = text(get(body, 'locale') ?? get(body, 'preferredLanguage'), 'locale', FIELD_LENGTHS.locale)?.replace(/_/g, '-') ?? null;
  if (locale && !isLocale(locale)) throw badValue(`locale "${locale}" is not a language tag`);
  const phone = text(preferred(get(body, 'phoneNumbers'), 'phoneNumbers'), 'phoneNumbers.value', FIELD_LENGTHS.phone);
  if (phone && profileFieldProblem('phone', phone)) throw badValue('phoneNumbers.value is not a phone number');

  const employeeNumber = text(get(enterprise, 'employeeNumber'), 'employeeNumber', FIELD_LENGTHS.employeeId);
  const employeeId = employeeNumber === null ? null : normalizeEmployeeId(employeeNumber);
  if (employeeId === undefined) throw badValue('employeeNumber may hold only letters, digits, dots, dashes and underscores');
  const managerValue = get(enterprise, 'manager');
  const manager = isObject(managerValue) ? text(get(managerValue, 'value'), 'manager.value', FIELD_LENGTHS.managerEmail) : text(managerValue, 'manager', FIELD_LENGTHS.managerEmail);
  const active = get(body, 'active');

  return {
    userName,
    externalId: text(get(body, 'externalId'), 'externalId', 255),
    active: active === undefined || active === null ? true : booleanOf(active, 'active'),
    email,
    name: displayName,
    firstName,
    lastName,
    title: text(get(body, 'title'), 'title', FIELD_LENGTHS.title),
    locale,
    phone,
    employeeId,
    department: text(get(enterprise, 'department'), 'department', FIELD_LENGTHS.department),
    manager,
  };
}

export interface ManagerRef {
  id: string;
  name: string | null;
}

/** The member as a SCIM User resource, every attribute included (projection comes after). */
export function toScimUser(member: MemberRow, link: ScimUserRow, baseUrl: string, manager: ManagerRef | null): Json {
  const enterprise: Json = {};
  if (member.employeeId) enterprise.employeeNumber = member.employeeId;
  if (member.department) enterprise.department = member.department;
  if (manager) enterprise.manager = { value: manager.id, ...(manager.name ? { displayName: manager.name } : {}), $ref: `${baseUrl}/scim/v2/Users/${manager.id}` };
  const name: Json = {};
  if (member.firstName) name.givenName = member.firstName;
  if (member.lastName) name.familyName = member.lastName;
  if (member.name) name.formatted = member.name;
  return {
    schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA],
    id: member.id,
    ...(link.externalId ? { externalId: link.externalId } : {}),
    userName: link.userName,
    ...(Object.keys(name).length ? { name } : {}),
    ...(member.name ? { displayName: member.name } : {}),
    ...(member.title ? { title: member.title } : {}),
    ...(member.locale ? { locale: member.locale, preferredLanguage: member.locale } : {}),
    active: member.status !== 'deactivated',
    ...(member.email ? { emails: [{ value: member.email, type: 'work', primary: true }] } : {}),
    ...(member.phone ? { phoneNumbers: [{ value: member.phone, type: 'work' }] } : {}),
    ...(Object.keys(enterprise).length ? { [ENTERPRISE_SCHEMA]: enterprise } : {}),
    meta: {
      resourceType: 'User',
      created: link.createdAt.toISOString(),
      lastModified: (member.updatedAt > link.updatedAt ? member.updatedAt : link.updatedAt).toISOString(),
      location: `${baseUrl}/scim/v2/Users/${member.id}`,
      version: etagOf(link.version),
    },
  };
}
