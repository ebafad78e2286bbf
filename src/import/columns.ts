import { importFileError } from './file-error.js';

/** The CSV columns, by the member field each one fills. Headers match without regard to case or repeated spaces. */
export const IMPORT_COLUMNS = {
  email: 'Email',
  employeeId: 'Employee ID',
  firstName: 'First name',
  lastName: 'Last name',
  title: 'Job Title',
  department: 'Department',
  location: 'Location',
  locale: 'Locale',
  managerEmail: 'Manager Email',
  loginMethod: 'Login Method',
  startDate: 'Start Date',
  /** Assigned groups, separated by semicolons: they replace the groups earlier imports assigned to the member. */
  groups: 'Groups',
} as const;

export type ImportField = keyof typeof IMPORT_COLUMNS;

const FIELDS = Object.keys(IMPORT_COLUMNS) as ImportField[];
const headerKey = (name: string) => name.trim().replace(/\s+/g, ' ').toLowerCase();
const FIELD_BY_HEADER = new Map(FIELDS.map((field) => [headerKey(IMPORT_COLUMNS[field]), field]));

const quoted = (names: string[]) => names.map((name) => `"${name}"`).join(', ');

/** The field of each cell position, from the header row; a header the import cannot use refuses the file. */
export function columnsFromHeader(cells: string[]): ImportField[] {
  const fields = cells.map((cell) => FIELD_BY_HEADER.get(headerKey(cell)));
  const otherSeparator = cells.length === 1 ? [';', '\t'].find((separator) => cells[0]!.includes(separator)) : undefined;
  if (otherSeparator) throw importFileError(`its cells must be separated by commas, and the header row looks separated by ${otherSeparator === ';' ? 'semicolons' : 'tabs'}`);
  if (fields.every((field) => field === undefined)) {
    throw importFileError(`the first line is not a header row; it must name the columns, for example ${quoted(Object.values(IMPORT_COLUMNS))}`);
  }
  // Every header problem at once, so one edit of the spreadsheet fixes them all.
  const problems: string[] = [];
  const unnamed = cells.flatMap((cell, index) => (cell.trim() === '' ? [index + 1] : []));
  if (unnamed.length) problems.push(`column ${unnamed.join(', ')} of the header has no name`);
  const unknown = cells.filter((cell, index) => fields[index] === undefined && cell.trim() !== '').map((cell) => cell.trim());
  if (unknown.length) problems.push(`unknown column${unknown.length > 1 ? 's' : ''} ${quoted(unknown)}`);
  const known = fields.filter((field): field is ImportField => field !== undefined);
  const repeated = FIELDS.filter((field) => known.indexOf(field) !== known.lastIndexOf(field));
  if (repeated.length) problems.push(`the header names ${quoted(repeated.map((field) => IMPORT_COLUMNS[field]))} more than once`);
  // Any subset of the columns works, as long as every row can name its member and say who they are.
  const missing: string[] = [];
  if (!known.includes('email') && !known.includes('employeeId')) missing.push(`${quoted([IMPORT_COLUMNS.email])} or ${quoted([IMPORT_COLUMNS.employeeId])}`);
  for (const field of ['firstName', 'lastName'] as const) if (!known.includes(field)) missing.push(quoted([IMPORT_COLUMNS[field]]));
  if (missing.length) problems.push(`the header lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  if (unknown.length) problems.push(`the columns are ${quoted(Object.values(IMPORT_COLUMNS))}`);
  if (problems.length) throw importFileError(problems.join('; '));
  return fields as ImportField[];
}
