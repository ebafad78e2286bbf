import { Readable } from 'node:stream';
import { AppError } from '../../src/http/errors.js';
import { readImportFile } from '../../src/import/read-rows.js';
import { readUpTo } from '../../src/import/read-source.js';

const HEADER = 'Email,Employee ID,First name,Last name';
const file = (text: string) => Buffer.from(text, 'utf8');

function refusal(bytes: Uint8Array): string {
  try {
    readImportFile(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).status).toBe(400);
    return (error as AppError).publicMessage;
  }
  throw new Error('the file was accepted');
}

describe('reading an import file', () => {
  it('maps cells to fields by header, in any order and case, with surrounding whitespace stripped', () => {
    const rows = readImportFile(file('  last NAME ,FIRST name,email,Login   Method\r\n Lovelace , Ada ,ada@example.com,\r\n'));
    expect(rows).toEqual([{ line: 2, values: { lastName: 'Lovelace', firstName: 'Ada', email: 'ada@example.com' } }]);
  });

  it('accepts every column of the enterprise format', () => {
    const header = 'Email,Employee ID,First name,Last name,Job Title,Department,Location,Locale,Manager Email,Login Method,Start Date';
    const [row] = readImportFile(file(`${header}\nada@example.com,E1,Ada,Lovelace,Analyst,Research,London,en-GB,boss@example.com,sso,2026-03-01\n`));
    expect(row!.values).toEqual({
      email: 'ada@example.com', employeeId: 'E1', firstName: 'Ada', lastName: 'Lovelace', title: 'Analyst', department: 'Research',
      location: 'London', locale: 'en-GB', managerEmail: 'boss@example.com', loginMethod: 'sso', startDate: '2026-03-01',
    });
  });

  it('drops a UTF-8 byte order mark', () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    expect(readImportFile(Buffer.concat([bom, file(`${HEADER}\na@example.com,,A,B\n`)]))).toHaveLength(1);
  });

  it('skips blank rows, including the empty rows spreadsheets leave at the end, and keeps line numbers', () => {
    const rows = readImportFile(file(`\n${HEADER}\n\na@example.com,,A,B\n , ,,\n"b@example.com",,"Multi\nline",C\n,,,\n,,,\n`));
    expect(rows.map((row) => row.line)).toEqual([4, 6]);
  });

  it('keeps formula-looking cells as text', () => {
    const [row] = readImportFile(file(`${HEADER},Job Title\na@example.com,,"=HYPERLINK(""http://evil.example"")",@SUM(A1),+1\n`));
    expect(row!.values).toMatchObject({ firstName: '=HYPERLINK("http://evil.example")', lastName: '@SUM(A1)', title: '+1' });
  });

  describe('refuses a malformed file as a whole', () => {
    it('an empty file', () => {
      expect(refusal(file(''))).toContain('it is empty');
      expect(refusal(file('\r\n\r\n'))).toContain('it is empty');
      expect(refusal(Buffer.from([0xef, 0xbb, 0xbf]))).toContain('it is empty');
    });

    it('a header without rows', () => {
      expect(refusal(file(`${HEADER}\n`))).toContain('no rows');
    });

    it('a file without a header row', () => {
      expect(refusal(file('ada@example.com,E1,Ada,Lovelace\n'))).toContain('not a header row');
    });

    it('a file separated by semicolons or tabs, as some spreadsheets save it', () => {
      expect(refusal(file('Email;First name;Last name\na@example.com;A;B\n'))).toContain('looks separated by semicolons');
      expect(refusal(file('Email\tFirst name\tLast name\na@example.com\tA\tB\n'))).toContain('looks separated by tabs');
    });

    it('unknown columns, naming them', () => {
      const message = refusal(file(`${HEADER},Salary,Phone\na@example.com,,A,B,1,2\n`));
      expect(message).toContain('unknown columns "Salary", "Phone"');
    });

    it('a column named twice', () => {
      expect(refusal(file(`${HEADER},EMAIL\na,b,c,d,e\n`))).toContain('"Email" more than once');
    });

    it('a header cell without a name', () => {
      expect(refusal(file(`${HEADER},\na,b,c,d,\n`))).toContain('column 5 of the header has no name');
    });

    it.each([
      ['First name', 'Email,Last name\na@example.com,B\n', '"First name"'],
      ['Last name', 'Employee ID,First name\nE1,A\n', '"Last name"'],
      ['both identifiers', 'First name,Last name,Department\nA,B,C\n', '"Email" or "Employee ID"'],
    ])('a required column missing: %s', (_case, text, named) => {
      expect(refusal(file(text))).toContain(`lacks the column ${named}`);
    });

    it('a ragged row, naming its line and the others', () => {
      const message = refusal(file(`${HEADER}\na@example.com,,A,B\nb@example.com,,B\nc@example.com,,C,D,extra\n`));
      expect(message).toContain('line 3 has 3 cells but the header has 4');
      expect(message).toContain('lines 3, 4');
    });

    it('CSV that does not parse, naming the line', () => {
      expect(refusal(file(`${HEADER}\na@example.com,,A,B\n"open,,A,B\n`))).toContain('not valid CSV (line 3: a quoted cell is never closed)');
    });

    // Attack: bytes that are not UTF-8 silently becoming U+FFFD in stored names.
    it('bytes that are not UTF-8', () => {
      const latin1 = Buffer.from(`${HEADER}\nzoe@example.com,,Zo\u00eb,M\u00fcller\n`, 'latin1');
      expect(refusal(latin1)).toContain('not UTF-8');
    });

    it('a UTF-16 file, with or without byte order mark', () => {
      const utf16 = Buffer.from(`${HEADER}\na@example.com,,A,B\n`, 'utf16le');
      expect(refusal(Buffer.concat([Buffer.from([0xff, 0xfe]), utf16]))).toContain('not UTF-8');
      expect(refusal(utf16)).toContain('not UTF-8');
    });
  });
});

describe('reading the upload', () => {
  it('reads a stream in chunks', async () => {
    expect((await readUpTo(Readable.from([Buffer.from('ab'), 'cd', new Uint8Array([0x65])]), 10)).toString()).toBe('abcde');
  });

  // Attack: an upload far larger than the limit held in memory whole before it is refused.
  it('stops reading a stream as soon as it passes the limit', async () => {
    let pulled = 0;
    const endless = Readable.from((function* () {
      for (;;) {
        pulled++;
        yield Buffer.alloc(1024);
      }
    })());
    await expect(readUpTo(endless, 10 * 1024)).rejects.toMatchObject({ status: 413, publicMessage: expect.stringContaining('larger than 10240 bytes') });
    expect(pulled).toBeLessThan(20);
  });

  it('refuses a buffer over the limit and accepts one at the limit', async () => {
    await expect(readUpTo(Buffer.alloc(11), 10)).rejects.toMatchObject({ status: 413 });
    expect((await readUpTo(Buffer.alloc(10), 10)).length).toBe(10);
  });
});
