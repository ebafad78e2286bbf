import type { LoginMethod, MemberRow } from '../db/rows.js';
import { characters, FIELD_LENGTHS, isLocale, isSingleLine } from '../members/field-rules.js';
import { isEmail, normalizeEmail, normalizeEmployeeId } from '../members/normalize.js';
import { IMPORT_COLUMNS, type ImportField } from './columns.js';
import type { ImportRow } from './read-rows.js';
import { shown } from './shown.js';

export type RowClass = 'valid' | 'incomplete' | 'invalid';

/** A catalogue message put into another one (its `{{clauses}}`); without a key, the English text as it is. */
export interface ReasonClause {
  key?: string;
  params?: Record<string, unknown>;
  message?: string;
}

export interface RowProblem {
  kind: Exclude<RowClass, 'valid'>;
  /** English, for the CLI, the API and the audit. */
  message: string;
  /** The same in the catalogues (`admin.import.rows.*`), for the admin pages. */
  key?: string;
  params?: Record<string, unknown>;
  /** Translated one by one, joined with `admin.import.rows.and`, and given to the key as `{{clauses}}`. */
  clauses?: ReasonClause[];
}

/** What a row sets on its member. A field that is absent leaves the stored value as it is. */
export type MemberValues = Partial<
  Pick<MemberRow, 'email' | 'emailNormalized' | 'employeeId' | 'name' | 'firstName' | 'lastName' | 'title' | 'department' | 'location' | 'locale' | 'managerEmail' | 'loginMethod' | 'startDate'>
>;

export interface CheckedRow {
  line: number;
  values: MemberValues;
  /** The groups the row assigns (the Groups column); absent when the cell is empty, which leaves them as they are. */
  groups?: string[];
  problems: RowProblem[];
}

export const IMPORT_GROUPS_MAX = 50;

const DATE = /^\d{4}-\d{2}-\d{2}$/;


function isCalendarDate(value: string): boolean {
  if (!DATE.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

const TEXT_FIELDS = ['firstName', 'lastName', 'title', 'department', 'location'] as const;

/** Checks one row on its own (the file and the database are looked at later) and works out what it would set. */
export function checkRow(row: ImportRow): CheckedRow {
  const problems: RowProblem[] = [];
  const values: MemberValues = {};
  const cells = { ...row.values };
  const invalid = (field: ImportField, key: string, why: string, params: Record<string, unknown> = {}) => problems.push({
    kind: 'invalid', message: `${IMPORT_COLUMNS[field]} ${shown(row.values[field]!)} ${why}`,
    key: `admin.import.rows.${key}`, params: { column: IMPORT_COLUMNS[field], value: shown(row.values[field]!), ...params },
  });
  const missing = (what: string) => problems.push({ kind: 'incomplete', message: `${what} is missing`, key: 'admin.import.rows.missing', params: { what } });

  for (const field of Object.keys(cells) as ImportField[]) {
    if (isSingleLine(cells[field]!)) continue;
    invalid(field, 'lineBreak', 'contains a line break or a control character');
    delete cells[field];
  }

  const { email, employeeId, loginMethod, locale, managerEmail, startDate, groups: groupCell } = cells;
  if (email !== undefined) {
    if (isEmail(email)) Object.assign(values, { email, emailNormalized: normalizeEmail(email) });
    else invalid('email', 'notEmail', 'is not an email address');
  }
  if (employeeId !== undefined) {
    const normalized = normalizeEmployeeId(employeeId);
    if (normalized) values.employeeId = normalized;
    else invalid('employeeId', 'badEmployeeId', 'is not 1 to 64 letters, digits, dots, dashes or underscores');
  }
  if (!row.values.email && !row.values.employeeId) {
    problems.push({
      kind: 'incomplete', message: `${IMPORT_COLUMNS.email} or ${IMPORT_COLUMNS.employeeId} is missing`,
      key: 'admin.import.rows.missingEither', params: { first: IMPORT_COLUMNS.email, second: IMPORT_COLUMNS.employeeId },
    });
  }

  // The columns are as long as the field rules say: a value that PostgreSQL would refuse is a reported row, not a failed batch.
  for (const field of TEXT_FIELDS) {
    const value = cells[field];
    if (value === undefined) continue;
    if (characters(value) > FIELD_LENGTHS[field]) invalid(field, 'tooLong', `is longer than ${FIELD_LENGTHS[field]} characters`, { max: FIELD_LENGTHS[field] });
    else values[field] = value;
  }
  if (!row.values.firstName) missing(IMPORT_COLUMNS.firstName);
  if (!row.values.lastName) missing(IMPORT_COLUMNS.lastName);
  if (values.firstName && values.lastName) {
    const name = `${values.firstName} ${values.lastName}`;
    if (characters(name) > FIELD_LENGTHS.name) {
      problems.push({
        kind: 'invalid', message: `${IMPORT_COLUMNS.firstName} and ${IMPORT_COLUMNS.lastName} together are longer than ${FIELD_LENGTHS.name - 1} characters`,
        key: 'admin.import.rows.nameTooLong', params: { first: IMPORT_COLUMNS.firstName, second: IMPORT_COLUMNS.lastName, max: FIELD_LENGTHS.name - 1 },
      });
    } else values.name = name;
  }

  if (locale !== undefined) {
    if (isLocale(locale)) values.locale = locale;
    else invalid('locale', 'badLocale', 'is not a language tag such as en or en-GB');
  }
  if (managerEmail !== undefined) {
    if (isEmail(managerEmail)) values.managerEmail = managerEmail;
    else invalid('managerEmail', 'notEmail', 'is not an email address');
  }
  if (loginMethod !== undefined) {
    const method = loginMethod.toLowerCase();
    if (method === 'password' || method === 'sso') values.loginMethod = method satisfies LoginMethod;
    else invalid('loginMethod', 'badLoginMethod', 'is neither password nor sso');
  }
  if (startDate !== undefined) {
    if (isCalendarDate(startDate)) values.startDate = startDate;
    else invalid('startDate', 'badDate', 'is not a date written YYYY-MM-DD');
  }
  let groups: string[] | undefined;
  if (groupCell !== undefined) {
    const names = groupCell.split(';').map((name) => name.trim()).filter((name, index, all) => name && all.findIndex((other) => other.toLowerCase() === name.toLowerCase()) === index);
    const long = names.find((name) => characters(name) > 100);
    if (long) invalid('groups', 'groupTooLong', `names the group ${shown(long)}, longer than 100 characters`, { group: shown(long) });
    else if (names.length > IMPORT_GROUPS_MAX) invalid('groups', 'tooManyGroups', `names more than ${IMPORT_GROUPS_MAX} groups`, { max: IMPORT_GROUPS_MAX });
    else groups = names;
  }
  return { line: row.line, values, problems, ...(groups ? { groups } : {}) };
}

/** A row is invalid when any value is malformed, else incomplete when a required value is missing. */
export function rowClass(problems: RowProblem[]): RowClass {
  if (problems.some((problem) => problem.kind === 'invalid')) return 'invalid';
  return problems.length ? 'incomplete' : 'valid';
}
