import { columnsFromHeader, type ImportField } from './columns.js';
import { CsvSyntaxError, parseCsv, type CsvRecord } from './csv-parser.js';
import { decodeUtf8 } from './decode.js';
import { importFileError } from './file-error.js';

export interface ImportRow {
  /** 1-based line of the file on which the row starts. */
  line: number;
  /** Cell text with surrounding whitespace stripped; an empty cell is absent. */
  values: Partial<Record<ImportField, string>>;
}

const isBlankRecord = (record: CsvRecord) => record.cells.every((cell) => cell.trim() === '');

/** Reports at most this many ragged lines by number; the count says how many there are in all. */
const RAGGED_LINES_SHOWN = 5;

/**
 * Turns the bytes of an import file into rows keyed by field. Anything that makes the file as a whole unusable
 * (not UTF-8, not CSV, no header, a row whose cells do not line up with the header, no rows) refuses it.
 * Blank rows, such as the trailing empty rows spreadsheets write, are skipped.
 */
export function readImportFile(bytes: Uint8Array): ImportRow[] {
  const text = decodeUtf8(bytes);
  let records: CsvRecord[];
  try {
    records = parseCsv(text).filter((record) => !isBlankRecord(record));
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw importFileError(`it is not valid CSV (line ${error.line}: ${error.reason})`);
    throw error;
  }
  const [header, ...body] = records;
  if (!header) throw importFileError('it is empty');
  const fields = columnsFromHeader(header.cells);
  if (!body.length) throw importFileError('it has a header but no rows');

  const ragged = body.filter((record) => record.cells.length !== fields.length);
  if (ragged.length) {
    const first = ragged[0]!;
    const lines = ragged.slice(0, RAGGED_LINES_SHOWN).map((record) => record.line).join(', ');
    const more = ragged.length > RAGGED_LINES_SHOWN ? ` and ${ragged.length - RAGGED_LINES_SHOWN} more` : '';
    throw importFileError(
      `line ${first.line} has ${first.cells.length} cells but the header has ${fields.length}` +
        (ragged.length > 1 ? ` (rows with a different number of cells start on lines ${lines}${more})` : ''),
    );
  }

  return body.map((record) => {
    const values: ImportRow['values'] = {};
    record.cells.forEach((cell, index) => {
      const value = cell.trim();
      if (value) values[fields[index]!] = value;
    });
    return { line: record.line, values };
  });
}
