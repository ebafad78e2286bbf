import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { AppError } from '../http/errors.js';
import type { Runtime } from '../runtime.js';
import type { InviteWhen } from './invite-rules.js';
import type { ImportReport } from './report.js';

/** Which file an import read. The digest ties a preview to the apply of the same file, whichever door sent it. */
export interface ImportedFile {
  sha256: string;
  bytes: number;
}

export interface ImportActor {
  actorId: string;
  req?: Request;
}

export function describeFile(content: Buffer): ImportedFile {
  return { sha256: createHash('sha256').update(content).digest('hex'), bytes: content.byteLength };
}

/** `import.applied`: the file and the report's counts, one shape for every door. */
export async function auditAppliedImport(runtime: Runtime, file: ImportedFile, report: ImportReport, actor: ImportActor): Promise<void> {
  const { invite, rows, valid, incomplete, invalid, created, updated, unchanged, invitedByLink, invitedByCode } = report;
  await runtime.audit({
    event: 'import.applied', actorId: actor.actorId, req: actor.req,
    details: { invite, ...file, rows, valid, incomplete, invalid, created, updated, unchanged, invitedByLink, invitedByCode },
  });
}

/**
 * An apply that stopped: the batches already committed stay, so the attempt is on the record. The row never replaces
 * the error that stopped the import, even when it cannot be written.
 */
export async function auditFailedImport(runtime: Runtime, file: ImportedFile, invite: InviteWhen, error: unknown, actor: ImportActor): Promise<void> {
  const reason = error instanceof AppError ? error.code : 'internal';
  await runtime.audit({ event: 'import.applied', outcome: 'failure', actorId: actor.actorId, req: actor.req, details: { invite, ...file, reason } })
    .catch((auditError: unknown) => runtime.logger.error({ err: auditError }, 'failed import not audited'));
}
