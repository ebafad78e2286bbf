import { randomUUID } from 'node:crypto';
import { IsNull, MoreThan } from 'typeorm';
import type { ImportUploadRow } from '../db/rows.js';
import type { Runtime } from '../runtime.js';

/** How long a previewed file waits for the admin to confirm it. */
export const UPLOAD_TTL_MS = 60 * 60 * 1000;

/** Keeps a previewed file in the database, so the confirmation can land on any replica. */
export async function keepUpload(runtime: Runtime, adminId: string, fileName: string, content: Buffer): Promise<ImportUploadRow> {
  const now = runtime.now();
  const row: ImportUploadRow = {
    id: randomUUID(), adminId, fileName: fileName.slice(0, 255), content, size: content.length, createdAt: now,
    expiresAt: new Date(now.getTime() + UPLOAD_TTL_MS), appliedAt: null,
  };
  await runtime.db.transaction((manager) => manager.insert(runtime.db.entities.ImportUpload, row));
  return row;
}

/**
 * Takes a previewed file for applying: only its own admin, only once (a double submit or a second tab gets nothing),
 * only before it expires.
 */
export async function takeUpload(runtime: Runtime, id: string, adminId: string): Promise<ImportUploadRow | null> {
  const { db } = runtime;
  const now = runtime.now();
  const taken = await db.transaction((manager) => manager.update(db.entities.ImportUpload, { id, adminId, appliedAt: IsNull(), expiresAt: MoreThan(now) }, { appliedAt: now }));
  return taken.affected ? db.source.manager.findOneBy(db.entities.ImportUpload, { id }) : null;
}

/** Puts a file back when applying it failed, so the admin can try again. */
export async function releaseUpload(runtime: Runtime, id: string): Promise<void> {
  await runtime.db.transaction((manager) => manager.update(runtime.db.entities.ImportUpload, { id }, { appliedAt: null }));
}
