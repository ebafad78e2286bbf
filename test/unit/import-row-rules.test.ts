import { markDuplicates } from '../../src/import/duplicates.js';
import type { ExistingMember } from '../../src/import/existing-members.js';
import type { ImportRow } from '../../src/import/read-rows.js';
import { checkRow, rowClass } from '../../src/import/row-rules.js';
import { shown } from '../../src/import/shown.js';

const row = (values: ImportRow['values'], line = 2): ImportRow => ({ line, values });
const complete = { email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' };

function verdict(values: ImportRow['values']) {
  const checked = checkRow(row(values));
  return { class: rowClass(checked.problems), reasons: checked.problems.map((problem) => problem.message) };
}

describe('one row on its own', () => {
  it('is valid with an email or an employee ID and both names, and works out the full name', () => {
    const checked = checkRow(row({ ...complete, employeeId: ' emp-7 ' }));
    expect(checked.problems).toEqual([]);
    expect(checked.values).toEqual({
      email: 'ada@example.com', emailNormalized: 'ada@example.com', employeeId: 'EMP-7', firstName: 'Ada', lastName: 'Lovelace', name: 'Ada Lovelace',
    });
    expect(verdict({ employeeId: 'E1', firstName: 'Sam', lastName: 'Shift' }).class).toBe('valid');
  });

  it('keeps the email as typed and compares it in lower case', () => {
    expect(checkRow(row({ ...complete, email: 'Ada.Lovelace@Example.COM' })).values).toMatchObject({ email: 'Ada.Lovelace@Example.COM', emailNormalized: 'ada.lovelace@example.com' });
  });

  it('takes every optional column', () => {
    const { values, problems } = checkRow(row({
      ...complete, title: 'Analyst', department: 'Research', location: 'London', locale: 'en-GB', managerEmail: 'boss@example.com', loginMethod: 'SSO', startDate: '2024-02-29',
    }));
    expect(problems).toEqual([]);
    expect(values).toMatchObject({ title: 'Analyst', department: 'Research', location: 'London', locale: 'en-GB', managerEmail: 'boss@example.com', loginMethod: 'sso', startDate: '2024-02-29' });
  });

  it.each([
    [{ firstName: 'Ada', lastName: 'Lovelace' }, 'Email or Employee ID is missing'],
    [{ email: 'ada@example.com', lastName: 'Lovelace' }, 'First name is missing'],
    [{ employeeId: 'E1', firstName: 'Ada' }, 'Last name is missing'],
  ])('is incomplete without a required value: %j', (values, reason) => {
    expect(verdict(values)).toEqual({ class: 'incomplete', reasons: [reason] });
  });

  it('lists every missing value', () => {
    expect(verdict({ title: 'Analyst' }).reasons).toEqual(['Email or Employee ID is missing', 'First name is missing', 'Last name is missing']);
  });

  it.each([
    [{ email: 'not-an-email' }, 'Email "not-an-email" is not an email address'],
    [{ email: 'a@b@example.com' }, 'Email "a@b@example.com" is not an email address'],
    [{ employeeId: 'has space' }, 'Employee ID "has space" is not 1 to 64 letters, digits, dots, dashes or underscores'],
    [{ employeeId: 'E'.repeat(65) }, 'is not 1 to 64 letters'],
    [{ loginMethod: 'ldap' }, 'Login Method "ldap" is neither password nor sso'],
    [{ startDate: '01/03/2026' }, 'Start Date "01/03/2026" is not a date written YYYY-MM-DD'],
    [{ startDate: '2026-02-30' }, 'Start Date "2026-02-30" is not a date'],
    [{ startDate: '2026-1-5' }, 'is not a date written YYYY-MM-DD'],
    [{ locale: 'en_US' }, 'Locale "en_US" is not a language tag such as en or en-GB'],
    [{ locale: 'english please' }, 'is not a language tag'],
    [{ locale: 'en-a' }, 'is not a language tag'],
    [{ managerEmail: 'the boss' }, 'Manager Email "the boss" is not an email address'],
    [{ firstName: 'A'.repeat(101) }, 'is longer than 100 characters'],
    [{ title: 'T'.repeat(201) }, 'Job Title'],
    [{ department: 'D'.repeat(201) }, 'Department'],
    [{ location: 'L'.repeat(201) }, 'Location'],
  ])('is invalid with a malformed value: %j', (values, reason) => {
    const result = verdict({ ...complete, ...values });
    expect(result.class).toBe('invalid');
    expect(result.reasons.join('; ')).toContain(reason);
  });

  it('counts characters, not UTF-16 units, against the column length', () => {
    expect(verdict({ ...complete, firstName: '\u{1F600}'.repeat(100) }).class).toBe('valid');
    expect(verdict({ ...complete, firstName: '\u00e9'.repeat(100), lastName: '\u00e8'.repeat(99) }).class).toBe('valid');
    expect(verdict({ ...complete, firstName: 'F'.repeat(100), lastName: 'L'.repeat(100) }).reasons).toEqual(['First name and Last name together are longer than 199 characters']);
  });

  it('is invalid rather than incomplete when it is both', () => {
    const result = verdict({ email: 'nope', firstName: 'Ada' });
    expect(result.class).toBe('invalid');
    expect(result.reasons).toEqual(['Email "nope" is not an email address', 'Last name is missing']);
  });

  it('keeps formula-looking values as text', () => {
    const values = checkRow(row({ ...complete, firstName: '=HYPERLINK("http://evil.example")', lastName: '+1', title: '@SUM(A1)', department: '-2' })).values;
    expect(values).toMatchObject({ firstName: '=HYPERLINK("http://evil.example")', lastName: '+1', name: '=HYPERLINK("http://evil.example") +1', title: '@SUM(A1)', department: '-2' });
  });

  // Attack: a quoted cell smuggling a line break or an escape sequence into a stored name or a report line.
  it.each([['line break', 'Ada\nEve'], ['carriage return', 'Ada\rX'], ['escape sequence', 'Ada\u001b[2J'], ['C1 control', 'Ada\u009b'], ['line separator', 'Ada\u2028']])(
    'is invalid with a %s in a value',
    (_case, firstName) => {
      const result = verdict({ ...complete, firstName });
      expect(result).toEqual({ class: 'invalid', reasons: [expect.stringContaining('contains a line break or a control character')] });
      expect(result.reasons[0]).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028]/);
    },
  );
});

describe('report values', () => {
  // Attack: a crafted cell that drives the admin's terminal or reverses the text around it when the report is printed.
  it('escapes control and bidirectional characters and shortens long values', () => {
    expect(shown('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(shown('\u001b[31mred')).toBe('"\\u001b[31mred"');
    expect(shown('evil\u202egnp.exe')).toBe('"evil\\u202egnp.exe"');
    expect(shown('x'.repeat(100))).toBe(`"${'x'.repeat(60)}…"`);
  });
});

describe('rows about the same member', () => {
  const member = (id: string) => ({ id }) as ExistingMember;
  const matched = (line: number, values: ImportRow['values'], existing: ExistingMember | null = null) => ({ ...checkRow(row(values, line)), member: existing });

  it('refuses every row that shares an email (in any case) or an employee ID, naming the other lines', () => {
    const rows = [
      matched(2, { ...complete }),
      matched(3, { email: 'other@example.com', employeeId: 'E1', firstName: 'O', lastName: 'T' }),
      matched(4, { ...complete, email: 'ADA@example.com' }),
      matched(5, { employeeId: 'e1', firstName: 'E', lastName: 'One' }),
      matched(6, { email: 'fine@example.com', firstName: 'F', lastName: 'Ine' }),
    ];
    markDuplicates(rows);
    expect(rows.map((r) => r.problems.map((p) => p.message))).toEqual([
      ['the same member is also on line 4 (same Email)'],
      ['the same member is also on line 5 (same Employee ID)'],
      ['the same member is also on line 2 (same Email)'],
      ['the same member is also on line 3 (same Employee ID)'],
      [],
    ]);
  });

  it('refuses rows that reach one existing member through different identifiers', () => {
    const ada = member('m-1');
    const rows = [matched(2, { ...complete }, ada), matched(9, { employeeId: 'E1', firstName: 'A', lastName: 'L' }, ada), matched(10, { employeeId: 'E2', firstName: 'B', lastName: 'L' }, member('m-2'))];
    markDuplicates(rows);
    expect(rows.map((r) => r.problems.map((p) => p.message))).toEqual([
      ['the same member is also on line 9 (same existing member)'],
      ['the same member is also on line 2 (same existing member)'],
      [],
    ]);
  });

  it('lists a few lines and counts the rest', () => {
    const rows = Array.from({ length: 9 }, (_, index) => matched(index + 2, { ...complete }));
    markDuplicates(rows);
    expect(rows[0]!.problems[0]!.message).toBe('the same member is also on lines 3, 4, 5, 6, 7 and 3 more (same Email)');
  });
});
