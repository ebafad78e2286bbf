import type { Database } from '../../src/db/database.js';
import type { MemberRow } from '../../src/db/rows.js';
import { newMemberRow } from '../../src/members/new-member.js';
import { openTestDatabase } from '../support/test-database.js';

const NOW = new Date('2026-03-01T12:00:00.000Z');

async function collect(stream: AsyncIterable<Buffer>): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk.toString('utf8');
  return text;
}

describe('the storage dialect, on the engine under test', () => {
  let db: Database;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await openTestDatabase());
  });
  afterAll(() => close());

  const member = (i: number, values: Partial<MemberRow> = {}) =>
    newMemberRow({ id: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`, email: `m${i}@example.com`, emailNormalized: `m${i}@example.com`, ...values }, NOW);

  it('bulk-inserts rows as the driver converts them, and finds them with one array membership', async () => {
    const rows = Array.from({ length: 300 }, (_, i) => member(i, { employeeId: `E${i}`, name: i === 7 ? 'Say "hi", then\nleave' : `Member ${i}` }));
    await db.transaction((manager) => db.dialect.bulkInsert(manager, db.entities.Member, rows));
    const stored = await db.source.manager.findOneByOrFail(db.entities.Member, { id: rows[7]!.id });
    expect(stored).toEqual(rows[7]);
    const found: Array<{ id: string }> = await db.source.query(
      ...db.source.driver.escapeQueryWithParameters(`SELECT id FROM members WHERE ${db.dialect.anyOf('employee_id', 'ids')} ORDER BY id`, { ids: ['E3', 'E299', 'nobody'] }),
    );
    expect(found.map((row) => row.id)).toEqual([rows[3]!.id, rows[299]!.id]);
  });

  it('selects the first row of each group, in the order given, the groups in key order', async () => {
    const { sql } = db.dialect;
    const select = sql.firstOfEachGroup({ id: 'id', digits: 'length(employee_id) - 1' }, 'members WHERE employee_id IS NOT NULL', 'length(employee_id)', 'employee_id DESC');
    const rows: Array<{ id: string; digits: number | string }> = await db.source.query(select);
    expect(rows.map((row) => [row.id, Number(row.digits)])).toEqual([[member(9).id, 1], [member(99).id, 2], [member(299).id, 3]]);
  });

  it('writes a copy as COPY\'s CSV: NULL empty, an empty text quoted, a cell quoted only when it must be', async () => {
    const { sql } = db.dialect;
    const select = `SELECT id, name, title, ${sql.text('')}, ${sql.isoTime('created_at')} FROM members WHERE id IN (${sql.text(member(6).id)}, ${sql.text(member(7).id)}) ORDER BY id`;
    const text = await collect(db.dialect.copyOut([select], ([records]) => records!));
    expect(text).toBe(`${member(6).id},Member 6,,"",2026-03-01T12:00:00.000Z\n${member(7).id},"Say ""hi"", then\nleave",,"",2026-03-01T12:00:00.000Z\n`);
  });

  // An export must not list a member twice or show a link of a member it did not list while the data changes under it.
  it('reads every select of one copy from one snapshot, whatever is written meanwhile', async () => {
    const count = 'SELECT count(*) FROM members';
    const ids = 'SELECT id FROM members ORDER BY id';
    const seen = await collect(db.dialect.copyOut([count, ids], async function* read([counted, listed]) {
      const iterator = listed![Symbol.asyncIterator]();
      const first = await iterator.next();
      await db.transaction((manager) => db.dialect.bulkInsert(manager, db.entities.Member, [member(1000), member(1001)]));
      yield Buffer.from(`${await collect(counted!)}|${first.value.toString()}`);
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    }));
    const [counted, listed] = seen.split('|');
    expect(counted).toBe('300\n');
    expect(listed!.trim().split('\n')).toHaveLength(300);
    expect(await db.source.manager.count(db.entities.Member)).toBe(302);
  });

  it('lets a reader stop early, and leaves nothing open that blocks a write', async () => {
    for await (const chunk of db.dialect.copyOut(['SELECT id FROM members ORDER BY id'], ([records]) => records!)) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }
    await db.transaction((manager) => manager.delete(db.entities.Member, { id: member(1001).id }));
    expect(await db.source.manager.count(db.entities.Member)).toBe(301);
  });
});
