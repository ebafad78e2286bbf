// Reading PostgreSQL's COPY CSV output (records ended by LF, cells quoted only when they hold a comma, a quote or a
// line break, quotes inside doubled) a record at a time, without decoding it.

export const QUOTE = 0x22;
export const COMMA = 0x2c;
export const LF = 0x0a;

/**
 * Calls `each(start, end)` for every whole record of `data` (`end` is its LF) and returns where the unfinished rest
 * begins. A line feed ends a record unless it is inside a quoted cell, which an odd count of quotes before it tells.
 */
export function forEachRecord(data: Buffer, each: (start: number, end: number) => void): number {
  let start = 0;
  let from = 0;
  let quotes = 0;
  for (;;) {
    const end = data.indexOf(LF, from);
    if (end === -1) return start;
    for (let quote = data.indexOf(QUOTE, from); quote !== -1 && quote < end; quote = data.indexOf(QUOTE, quote + 1)) quotes++;
    from = end + 1;
    if (quotes % 2 === 1) continue;
    each(start, end);
    start = from;
    quotes = 0;
  }
}

/** Where the cell that begins at `start`, not the last of its record, ends (the comma after it). */
export function cellEnd(data: Buffer, start: number): number {
  if (data[start] !== QUOTE) return data.indexOf(COMMA, start);
  let at = start + 1;
  for (;;) {
    at = data.indexOf(QUOTE, at);
    if (data[at + 1] !== QUOTE) return at + 1;
    at += 2;
  }
}

export interface Records {
  data: Buffer;
  /** Record i runs from starts[i] to its LF at ends[i]. */
  starts: number[];
  ends: number[];
}

/** Chunks of whole records: each chunk of `source` joined to the unfinished rest of the one before. */
export async function* wholeRecords(source: AsyncIterable<Buffer>): AsyncGenerator<Records> {
  let pending: Buffer | undefined;
  for await (const chunk of source) {
    const data = pending ? Buffer.concat([pending, chunk]) : chunk;
    const starts: number[] = [];
    const ends: number[] = [];
    const rest = forEachRecord(data, (start, end) => {
      starts.push(start);
      ends.push(end);
    });
    pending = rest < data.length ? Buffer.from(data.subarray(rest)) : undefined;
    if (starts.length) yield { data, starts, ends };
  }
  if (pending) throw new Error('the database ended the export inside a record');
}
