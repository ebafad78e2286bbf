import { CsvSyntaxError, parseCsv } from '../../src/import/csv-parser.js';

const cells = (text: string) => parseCsv(text).map((record) => record.cells);
const lines = (text: string) => parseCsv(text).map((record) => record.line);

describe('CSV parser (RFC 4180)', () => {
  it('splits plain cells and records ended by CRLF, LF or a lone CR', () => {
    expect(cells('a,b,c\r\nd,e,f\ng,h,i\rj,k,l')).toEqual([['a', 'b', 'c'], ['d', 'e', 'f'], ['g', 'h', 'i'], ['j', 'k', 'l']]);
  });

  it('ignores one final line break but keeps empty cells', () => {
    expect(cells('a,,c\r\n,,\r\n')).toEqual([['a', '', 'c'], ['', '', '']]);
    expect(cells('a,b,')).toEqual([['a', 'b', '']]);
  });

  it('reads an empty line as a record with one empty cell', () => {
    expect(cells('a\n\nb\n')).toEqual([['a'], [''], ['b']]);
  });

  it('returns nothing for an empty text', () => {
    expect(parseCsv('')).toEqual([]);
  });

  it('reads quoted cells with commas, doubled quotes and line breaks', () => {
    expect(cells('"a,b","say ""hi""","two\r\nlines","x\ny"\r\n')).toEqual([['a,b', 'say "hi"', 'two\r\nlines', 'x\ny']]);
    expect(cells('"",""""\n')).toEqual([['', '"']]);
  });

  it('numbers each record by the line it starts on, counting line breaks inside quotes', () => {
    expect(lines('h1,h2\r\n"multi\r\nline",x\r\nnext,y\n"a\nb\nc",z\rlast,w')).toEqual([1, 2, 4, 5, 8]);
  });

  it('ignores spaces and tabs around a quoted cell, keeps them in unquoted cells', () => {
    expect(cells(' "a" ,\t"b"\t, c ')).toEqual([['a', 'b', ' c ']]);
  });

  it('keeps what looks like a formula as plain text', () => {
    expect(cells('"=HYPERLINK(""http://evil.example"",""x"")",+1,@SUM(A1)')).toEqual([['=HYPERLINK("http://evil.example","x")', '+1', '@SUM(A1)']]);
  });

  it.each([
    ['a quote left open', 'a,b\n"never closed,c\n', 2, 'never closed'],
    ['a quote inside an unquoted cell', 'a,b\nab"c,d\n', 2, 'quote inside an unquoted cell'],
    ['text after a closing quote', 'a,b\n"ab"c,d\n', 2, 'after the closing quote'],
  ])('refuses %s, naming the line', (_case, text, line, reason) => {
    let error: unknown;
    try {
      parseCsv(text);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CsvSyntaxError);
    expect(error).toMatchObject({ line });
    expect((error as Error).message).toContain(reason);
  });

  it('names the line where an unclosed quote opened, not where the file ended', () => {
    expect(() => parseCsv('a\nb\n"open\nmore\nlines')).toThrow(expect.objectContaining({ line: 3 }));
  });

  // Attack: a crafted upload (many quoted cells, doubled quotes, line breaks inside cells) that makes a parser rescan
  // what it already read, turning a large file into minutes of one core. Counted, not timed: every character read
  // and every character copied out, so a busy machine cannot make it fail and a rescan always does.
  it('reads a large file in linear time: each character is read a bounded number of times and copied out once', () => {
    const row = 'person@example.com,E1,"First, Name",Last,"Title ""quoted""","Dept\r\nsecond line"\r\n';
    const source = row.repeat(20_000);
    let reads = 0;
    let copied = 0;
    // The parser uses only length, charCodeAt and slice: a wrapper counts them (any other method would throw here).
    const counted = {
      length: source.length,
      charCodeAt: (index: number) => {
        reads++;
        return source.charCodeAt(index);
      },
      slice: (start: number, end: number) => {
        copied += end - start;
        return source.slice(start, end);
      },
    };
    const records = parseCsv(counted as unknown as string);
    expect(records).toHaveLength(20_000);
    expect(records[19_999]).toEqual({ line: 39_999, cells: ['person@example.com', 'E1', 'First, Name', 'Last', 'Title "quoted"', 'Dept\r\nsecond line'] });
    expect(reads).toBeLessThanOrEqual(2 * source.length);
    expect(copied).toBeLessThanOrEqual(source.length);
  });
});
