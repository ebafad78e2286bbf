import type { ExportStatus } from '../export/members-csv.js';

export type ExportKind = 'members' | 'access_codes';

/** What an export selects, whichever door asked for it. */
export interface ExportRequest {
  kind: ExportKind;
  status: ExportStatus;
  /** Part of a name, email, username or employee ID; empty for everyone. */
  search: string;
}

/** The access-code list has no filter: it is every invited member with a usable code. */
export const ACCESS_CODES_EXPORT: ExportRequest = { kind: 'access_codes', status: 'invited', search: '' };

/** The details of `export.requested`: one shape for the pages, the API and the CLI. */
export function requestedDetails(exportId: string, request: ExportRequest) {
  return { exportId, kind: request.kind, status: request.status, search: request.search };
}
