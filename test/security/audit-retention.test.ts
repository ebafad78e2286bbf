import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { archiveAudit } from '../../src/audit/archive.js';
import { startHarness, type Harness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const DAY = 24 * 60 * 60 * 1000;
const param = (n: number) => (h.runtime.db.engine === 'postgres' ? `$${n}` : '?');

describe('audit retention', () => {
  // The append-only table needs a way out that keeps the chain of custody: export, digest, then delete exactly that.
  it('archive and prune: rows older than the date go to a JSON-lines file with its digest, then only they are deleted, and audit.archived says so', async () => {
    const { runtime } = h;
    const { db } = runtime;
    for (let i = 0; i < 3; i++) await runtime.audit({ event: 'member.invited', actorId: 'old', details: { n: i } });
    h.advance(2 * DAY);
    const before = new Date(runtime.now().getTime() - DAY);
    await runtime.audit({ event: 'member.invited', actorId: 'new' });
    const older = (await db.source.manager.find(db.entities.AuditEvent, { order: { id: 'ASC' } })).filter((row) => row.time < before);
    const out = join(h.dataDir, 'audit-archive.jsonl');

    const result = await archiveAudit(runtime, before, out, 'cli');

    const text = readFileSync(out, 'utf8');
    const lines = text.trim().split('\n').map((line) => JSON.parse(line) as { id: string; actorId: string });
    expect(lines.map((line) => line.id)).toEqual(older.map((row) => String(row.id)));
    expect(lines.filter((line) => line.actorId === 'old')).toHaveLength(3);
    expect(result).toEqual({ count: older.length, throughId: String(older.at(-1)!.id), sha256: createHash('sha256').update(text).digest('hex') });
    const left = await db.source.manager.find(db.entities.AuditEvent, { order: { id: 'ASC' } });
    expect(left.map((row) => row.actorId)).toEqual(['new', 'cli']);
    expect(left[1]!.event).toBe('audit.archived');
    expect(JSON.parse(left[1]!.details)).toEqual({ before: before.toISOString(), throughId: result!.throughId, count: older.length, sha256: result!.sha256, file: out });
  });

  // Attack: covering tracks with the application's own connection, now that a DELETE path exists.
  it('covering tracks outside an archive: deleting audit rows that no archive exported is refused', async () => {
    const { db } = h.runtime;
    const rows = await db.source.manager.count(db.entities.AuditEvent);
    await expect(db.source.query('DELETE FROM audit_events')).rejects.toThrow(/append-only/);
    await expect(db.source.query(`UPDATE audit_archives SET row_count = 0`)).rejects.toThrow(/append-only/);
    await expect(db.source.query(`DELETE FROM audit_archives`)).rejects.toThrow(/append-only/);
    expect(await db.source.manager.count(db.entities.AuditEvent)).toBe(rows);
  });

  // Attack: the application's connection forging an archive record to delete rows nobody exported (PostgreSQL: the
  // DELETE also needs the archive command's transaction setting, which the server never sets).
  const onPostgres = process.env.DATABASE_URL ? it : it.skip;
  onPostgres('forged archive record: without the archive transaction\'s setting the rows it names stay', async () => {
    const { db } = h.runtime;
    const [newest] = await db.source.manager.find(db.entities.AuditEvent, { order: { id: 'DESC' }, take: 1 });
    await db.source.query(
      `INSERT INTO audit_archives (archived_at, archived_before, through_id, row_count, sha256, file) VALUES (${param(1)}, ${param(2)}, ${param(3)}, 0, 'x', 'x')`,
      [new Date().toISOString(), new Date().toISOString(), String(newest!.id)],
    );
    await expect(db.source.query('DELETE FROM audit_events')).rejects.toThrow(/append-only/);
    expect(await db.source.manager.count(db.entities.AuditEvent)).toBeGreaterThan(0);
  });

  it('refuses to overwrite an existing file', async () => {
    const out = join(h.dataDir, 'audit-archive.jsonl');
    await expect(archiveAudit(h.runtime, h.runtime.now(), out, 'cli')).rejects.toThrow(/EEXIST/);
  });
});
