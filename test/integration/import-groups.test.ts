import { assignedGroupNames, assignGroups, assignmentsOf } from '../../src/groups/assigned.js';
import { importMembers } from '../../src/import/import-members.js';
import { startHarness, type Harness } from '../support/harness.js';

const HEADER = 'Email,First name,Last name,Groups';
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const csv = (...rows: string[]) => Buffer.from(`${[HEADER, ...rows].join('\r\n')}\r\n`);
const run = (file: Buffer) => importMembers(h.runtime, file, { actorId: 'importer', maxBytes: h.config.imports.maxBytes });
const memberId = async (email: string) => (await h.runtime.db.source.manager.findOneByOrFail(h.runtime.db.entities.Member, { emailNormalized: email })).id;

describe('the Groups column of the CSV import', () => {
  // Attack: a stale spreadsheet keeping a group someone lost; the import replaces only what imports assigned.
  it('assigns the groups of a row, replaces them at the next import and leaves other sources alone', async () => {
    const first = await run(csv('gina@example.com,Gina,Gee,"Finance; Payroll ;finance"', 'hal@example.com,Hal,Aitch,'));
    expect(first).toMatchObject({ valid: 2, invalid: 0, created: 2 });
    const gina = await memberId('gina@example.com');
    const hal = await memberId('hal@example.com');
    expect(await assignedGroupNames(h.runtime.db, gina)).toEqual(['Finance', 'Payroll']);
    expect(await assignedGroupNames(h.runtime.db, hal)).toEqual([]);
    await h.runtime.db.transaction((manager) => assignGroups(h.runtime, manager, gina, ['Payroll', 'Ops'], 'admin', null));

    const second = await run(csv('gina@example.com,Gina,Gee,Finance', 'hal@example.com,Hal,Aitch,Sales'));
    expect(second).toMatchObject({ valid: 2, unchanged: 2 });
    expect(await assignmentsOf(h.runtime.db, gina)).toEqual([
      { name: 'Finance', sources: ['import'] }, { name: 'Ops', sources: ['admin'] }, { name: 'Payroll', sources: ['admin'] },
    ]);
    expect(await assignedGroupNames(h.runtime.db, hal)).toEqual(['Sales']);
    // An empty cell leaves the groups as they are, like every other column.
    await run(csv('hal@example.com,Hal,Aitch,'));
    expect(await assignedGroupNames(h.runtime.db, hal)).toEqual(['Sales']);
    const audit = await h.runtime.db.source.manager.findBy(h.runtime.db.entities.AuditEvent, { memberId: hal, event: 'member.groups_assigned' });
    expect(audit.map((row) => ({ actor: row.actorId, details: JSON.parse(row.details!) }))).toEqual([{ actor: 'importer', details: { source: 'import', added: ['Sales'], removed: [] } }]);
  });

  it('reports a group name that is too long as an invalid row and writes nothing for it', async () => {
    const report = await run(csv(`ivy@example.com,Ivy,Vee,"Fine;${'x'.repeat(101)}"`));
    expect(report).toMatchObject({ valid: 0, invalid: 1 });
    expect(report.rejected[0]!.reason).toMatch(/^Groups "x+" names the group "x+", longer than 100 characters|Groups .* longer than 100 characters$/);
    expect(await h.runtime.db.source.manager.findOneBy(h.runtime.db.entities.Group, { nameNormalized: 'fine' })).toBeNull();
  });
});
