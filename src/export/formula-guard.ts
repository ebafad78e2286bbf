import type { SqlText } from '../db/dialect.js';

// A spreadsheet runs a cell that starts with one of these as a formula (CSV injection): = + - @, tab, CR, NUL.
const FORMULA_STARTS = ['=', '+', '-', '@', '\t', '\r', '\u0000'];
const FORMULA_START = new RegExp(`^[${FORMULA_STARTS.map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}]`);
const CODE_POINTS = FORMULA_STARTS.map((char) => char.codePointAt(0)).join(', ');

/** The text, with a leading apostrophe when a spreadsheet would run it as a formula. */
export function guardFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/**
 * The same guard in SQL, for cells the database writes (the export's COPY): `text` is an SQL expression of a text
 * that is NULL rather than empty (an empty text has no first character; PostgreSQL answers 0 for it, NUL's code).
 */
export function guardFormulaSql(sql: SqlText, text: string): string {
  return `CASE WHEN ${sql.firstCodePoint(text)} IN (${CODE_POINTS}) THEN '''' || ${text} ELSE ${text} END`;
}
