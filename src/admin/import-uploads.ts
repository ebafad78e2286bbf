import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import { IsNull, MoreThan } from 'typeorm';
import type { ImportUploadRow } from '../db/rows.js';
import { describeFile } from '../import/import-audit.js';
import type { ImportReport } from '../import/report.js';
import type { Runtime } from '../runtime.js';
import type { Owner } from './api-caller.js';
import { ownedBy } from './owned-by.js';

/** How long a previewed file waits for the admin to confirm it. */
export const UPLOAD_TTL_MS = 60 * 60 * 1000;

/**
 * Keeps a previewed file in the database, so the confirmation can land on any replica. The file holds personal data:
 * keeping it is on the record (`import.previewed`, with the digest its `import.applied` will carry), in the same write.
 */
export async function keepUpload(runtime: Runtime, owner: Owner, fileName: string, content: Buffer, preview: ImportReport, req?: Request): Promise<ImportUploadRow> {
  const { db, audit } = runtime;
  const now = runtime.now();
  const row: ImportUploadRow = {
    id: randomUUID(), adminId: owner.adminId, tokenId: owner.tokenId, fileName: fileName.slice(0, 255), content, size: content.length, createdAt: now,
    expiresAt: new Date(now.getTime() + UPLOAD_TTL_MS), appliedAt: null,
  };
  const { rows, valid, incomplete, invalid } = preview;
  await db.transaction(async (manager) => {
    await manager.insert(db.entities.ImportUpload, row);
    await audit({
      event: 'import.previewed', actorId: owner.actorId, req,
      details: { uploadId: row.id, ...describeFile(content), rows, valid, incomplete, invalid },
    }, manager);
  });
  return row;
}

/**
 * Takes a previewed file for applying: only its own admin (or token), only once (a double submit or a second tab gets nothing),
 * only before it expires.
 */
export async function takeUpload(runtime: Runtime, id: string, owner: Pick<Owner, 'adminId' | 'tokenId'>): Promise<ImportUploadRow | null> {
  const { db } = runtime;
  const now = runtime.now();
  const taken = await db.transaction((manager) => manager.update(db.entities.ImportUpload, { id, ...ownedBy(owner), appliedAt: IsNull(), expiresAt: MoreThan(now) }, { appliedAt: now }));
  return taken.affected ? db.source.manager.findOneBy(db.entities.ImportUpload, { id }) : null;
}

/** Puts a file back when applying it failed, so the admin can try again. */
export async function releaseUpload(runtime: Runtime, id: string): Promise<void> {
  await runtime.db.transaction((manager) => manager.update(runtime.db.entities.ImportUpload, { id }, { appliedAt: null }));
}
