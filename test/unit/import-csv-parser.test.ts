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

  it('reads a large file in linear time', () => {
    const row = 'person@example.com,E1,"First, Name",Last,"Title ""quoted""",Dept\r\n';
    const text = row.repeat(100_000);
    // CPU time, not elapsed time: what the parser does, however many other processes share the cores.
    const started = process.cpuUsage();
    expect(parseCsv(text)).toHaveLength(100_000);
    const used = process.cpuUsage(started);
    expect((used.user + used.system) / 1000).toBeLessThan(3000);
  });
});
