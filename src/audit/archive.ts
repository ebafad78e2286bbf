import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { And, LessThan, LessThanOrEqual, MoreThan } from 'typeorm';
import type { Runtime } from '../runtime.js';

export interface ArchiveResult {
  count: number;
  /** The newest row archived: every row up to it was exported, then deleted. */
  throughId: string;
  /** SHA-256 of the exported file, hex. */
  sha256: string;
}

const PAGE = 1000;

/**
 * Archives the audit rows older than `before`: writes them to `out` (JSON lines, oldest first; the file must not
 * exist), then in one transaction records the export in `audit_archives`, deletes exactly the exported rows and
 * writes an `audit.archived` row naming the range, count and digest. The range is by id, so the rows deleted are the
 * rows exported even if a clock stepped back. Answers null when no row is older than `before`.
 */
export async function archiveAudit(runtime: Runtime, before: Date, out: string, actorId: string): Promise<ArchiveResult | null> {
  const { db } = runtime;
  const { AuditEvent } = db.entities;
  const [newest] = await db.source.manager.find(AuditEvent, { where: { time: LessThan(before) }, order: { id: 'DESC' }, take: 1 });
  if (!newest) return null;
  const throughId = String(newest.id);

  const hash = createHash('sha256');
  const file = openSync(out, 'wx');
  let count = 0;
  try {
    let after = '0';
    for (;;) {
      const rows = await db.source.manager.find(AuditEvent, { where: { id: And(MoreThan(after), LessThanOrEqual(throughId)) }, order: { id: 'ASC' }, take: PAGE });
      if (!rows.length) break;
      const text = rows.map((row) => `${JSON.stringify({ ...row, id: String(row.id), time: row.time.toISOString(), details: JSON.parse(row.details) as unknown })}\n`).join('');
      writeSync(file, text);
      hash.update(text);
      count += rows.length;
      after = String(rows[rows.length - 1]!.id);
    }
    fsyncSync(file);
  } finally {
    closeSync(file);
  }
  const sha256 = hash.digest('hex');

  await db.transaction(async (manager) => {
    const postgres = db.engine === 'postgres';
    const p = (n: number) => (postgres ? `$${n}` : '?');
    // The trigger lets a DELETE of archived rows through only in a transaction that says it is archiving.
    if (postgres) await manager.query(`SET LOCAL claimgate.audit_archive = 'on'`);
    await manager.query(
      `INSERT INTO audit_archives (archived_at, archived_before, through_id, row_count, sha256, file) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)})`,
      [runtime.now().toISOString(), before.toISOString(), throughId, count, sha256, out],
    );
    await manager.query(`DELETE FROM audit_events WHERE id <= ${p(1)}`, [throughId]);
    await runtime.audit({ event: 'audit.archived', actorId, details: { before: before.toISOString(), throughId, count, sha256, file: out } }, manager);
  });
  return { count, throughId, sha256 };
}
