export interface CsvRecord {
  /** 1-based line of the file on which the record starts (a quoted cell may span several lines). */
  line: number;
  cells: string[];
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'CsvSyntaxError';
  }
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;

const isBlank = (code: number) => code === 0x20 || code === 0x09;
const endsCell = (code: number) => code === COMMA || code === CR || code === LF;

/**
 * Parses CSV per RFC 4180: comma-separated cells, records ended by CRLF, LF or a lone CR, cells in double quotes
 * holding commas, line breaks and doubled quotes. Spaces or tabs around a quoted cell are ignored. A quote inside an
 * unquoted cell, text after a closing quote or a quote left open is a syntax error naming its line.
 * An empty line is a record with one empty cell: what blank records mean is the caller's decision.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const length = text.length;
  let position = 0;
  let line = 1;

  const skipBlanks = () => {
    while (position < length && isBlank(text.charCodeAt(position))) position++;
  };

  const quotedCell = (): string => {
    const openedOn = line;
    position++;
    let value = '';
    let chunk = position;
    for (;;) {
      if (position >= length) throw new CsvSyntaxError(openedOn, 'a quoted cell is never closed');
      const code = text.charCodeAt(position);
      if (code === QUOTE) {
        value += text.slice(chunk, position);
        position++;
        if (text.charCodeAt(position) !== QUOTE) break;
        value += '"';
        position++;
        chunk = position;
        continue;
      }
      if (code === LF || (code === CR && text.charCodeAt(position + 1) !== LF)) line++;
      position++;
    }
    skipBlanks();
    if (position < length && !endsCell(text.charCodeAt(position))) {
      throw new CsvSyntaxError(line, 'text after the closing quote of a cell; quote the whole cell and double any quote inside it');
    }
    return value;
  };

  const plainCell = (start: number): string => {
    position = start;
    while (position < length) {
      const code = text.charCodeAt(position);
      if (endsCell(code)) break;
      if (code === QUOTE) throw new CsvSyntaxError(line, 'a quote inside an unquoted cell; quote the whole cell and double the quote ("")');
      position++;
    }
    return text.slice(start, position);
  };

  const cell = (): string => {
    const start = position;
    skipBlanks();
    return text.charCodeAt(position) === QUOTE ? quotedCell() : plainCell(start);
  };

  while (position < length) {
    const record: CsvRecord = { line, cells: [cell()] };
    while (text.charCodeAt(position) === COMMA) {
      position++;
      record.cells.push(cell());
    }
    records.push(record);
    if (text.charCodeAt(position) === CR && text.charCodeAt(position + 1) === LF) position++;
    position++;
    line++;
  }
  return records;
}
