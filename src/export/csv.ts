import { guardFormula } from './formula-guard.js';

/** One CSV cell per RFC 4180, neutralised against formula injection by a leading apostrophe. */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = guardFormula(String(value));
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(values: Array<string | number | null | undefined>): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

const CRLF = Buffer.from('\r\n');

/** CRLFs in a chunk of CSV that holds whole lines: its rows (a value holding a line break counts twice). */
export function lineEnds(chunk: string | Buffer): number {
  const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
  let count = 0;
  for (let at = bytes.indexOf(CRLF); at !== -1; at = bytes.indexOf(CRLF, at + 2)) count++;
  return count;
}
