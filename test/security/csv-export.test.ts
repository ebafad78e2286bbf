import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accessCodesCsv } from '../../src/export/access-codes-csv.js';
import { EXPORT_COLUMNS, membersCsv } from '../../src/export/members-csv.js';
import { parseCsv } from '../../src/import/csv-parser.js';
import { inviteByEmployeeId } from '../../src/members/invite-employee.js';
import { invite } from '../support/claim-walk.js';
import { claimgateCli } from '../support/cli-process.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { startHarness, type Harness } from '../support/harness.js';
import { writeServerConfig } from '../support/server-process.js';
import { allowForProcesses } from '../support/timeouts.js';

allowForProcesses();

const FORMULAS = ['=HYPERLINK("http://evil.example","x")', '+SUM(1,2)', '-2+3', '@SUM(1)', '\t=1+1', '\r=1+1', '=cmd|\' /C calc\'!A0'];

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const NAME = EXPORT_COLUMNS.indexOf('name');

async function collect(source: AsyncGenerator<string | Buffer>): Promise<string> {
  let text = '';
  for await (const chunk of source) text += String(chunk);
  return text;
}

describe('CSV exports', () => {
  // Attack: a member name that runs as a formula when an admin opens the export in a spreadsheet (CSV injection).
  it.each(FORMULAS)('formula injection: a name %j is exported as text, never as a formula', async (name) => {
    const invited = await invite(h.runtime, `formula${Math.random().toString(36).slice(2)}@example.com`, name);
    const records = parseCsv(await collect(membersCsv(h.runtime, 'all')));
    const row = records.find((record) => record.cells[0] === invited.id);
    expect(row).toBeDefined();
    const cell = row!.cells[NAME]!;
    expect(cell.startsWith("'")).toBe(true);
    expect(/^[=+\-@\t\r]/.test(cell)).toBe(false);
  });

  // Attack: breaking out of a cell (quotes, commas, line breaks) to inject extra columns or rows.
  it('row injection: quotes, commas and line breaks stay inside one cell', async () => {
    const name = 'Ann "the admin", of\r\nevil@example.com,admin,claimed';
    const invited = await invite(h.runtime, `rows${Date.now()}@example.com`, name);
    const text = await collect(membersCsv(h.runtime, 'all'));
    const records = parseCsv(text);
    const width = records[0]!.cells.length;
    expect(records.every((record) => record.cells.length === width)).toBe(true);
    expect(records.find((record) => record.cells[0] === invited.id)!.cells[NAME]).toBe(name);
    expect(records.some((record) => record.cells[1] === 'evil@example.com')).toBe(false);
  });

  // Attack: the same through the printed access-code export.
  it('formula injection: the access-code export neutralises names too', async () => {
    await inviteByEmployeeId(h.runtime, { employeeId: `CSV${Date.now()}`, name: '=1+2', actorId: 'test' });
    const records = parseCsv(await collect(accessCodesCsv(h.runtime)));
    const names = records.slice(1).map((record) => record.cells[2]!);
    expect(names).toContain("'=1+2");
    expect(names.some((value) => /^[=+\-@]/.test(value))).toBe(false);
  });

  // Attack: another local user reading exported claim links from the file the CLI wrote.
  it('export file theft: the CLI writes exports readable by their owner only, and audits the export', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'claimgate-export-'));
    const database: TestDatabase = await createTestDatabase();
    try {
      const config = writeServerConfig(dir, database.url, undefined);
      await claimgateCli(config, 'invite', '--email', 'fileowner@example.com', '--json');
      const out = join(dir, 'links.csv');
      await claimgateCli(config, 'export', '--out', out);
      expect(statSync(out).mode & 0o077).toBe(0);
      expect(readFileSync(out, 'utf8')).toContain('fileowner@example.com');
      const audit = await claimgateCli(config, 'audit', '--json');
      expect(audit).toContain('export.requested');
    } finally {
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
