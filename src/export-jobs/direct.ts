import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import { accessCodesCsv } from '../export/access-codes-csv.js';
import { membersCsv } from '../export/members-csv.js';
import { managerOf } from '../admin/admin-targets.js';
import { withheldAdminNames } from '../export/withheld-admins.js';
import type { Runtime } from '../runtime.js';
import { requestedDetails, type ExportRequest } from './requested.js';

/**
 * An export answered at once to whoever asked (the CLI, the access-code download of the Export page), never mailed.
 * Claim links and access codes are credentials: the request and its delivery are on the record, in one transaction,
 * before the first byte leaves. The export id ties the two rows together.
 */
export async function openDirectExport(runtime: Runtime, request: ExportRequest, actorId: string, req?: Request): Promise<AsyncIterable<string | Buffer>> {
  const { db, audit } = runtime;
  const exportId = randomUUID();
  await db.transaction(async (manager) => {
    await audit({ event: 'export.requested', actorId, req, details: requestedDetails(exportId, request) }, manager);
    await audit({ event: 'export.downloaded', actorId, req, details: { exportId, kind: request.kind } }, manager);
  });
  const withheld = withheldAdminNames(runtime.config, managerOf(runtime, req));
  return request.kind === 'access_codes' ? accessCodesCsv(runtime, withheld) : membersCsv(runtime, request.status, request.search, withheld);
}
