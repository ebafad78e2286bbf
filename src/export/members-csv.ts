import type { MemberStatus } from '../db/rows.js';
import type { Runtime } from '../runtime.js';
import { csvRow } from './csv.js';
import { membersCopyLines } from './members-copy.js';

export const EXPORT_COLUMNS = [
  'id', 'email', 'employee_id', 'username', 'name', 'first_name', 'last_name', 'title', 'department', 'location', 'phone',
  'locale', 'manager_email', 'start_date', 'login_method', 'status', 'invited_at', 'claimed_at', 'claim_link',
  'claim_link_expires_at',
] as const;

export type ExportStatus = MemberStatus | 'all';

/**
 * Streams the members as CSV in id order, so memory stays flat however many there are. Each invited, unclaimed
 * member carries the link that is valid now; reading it changes nothing. Every chunk holds whole lines (UTF-8 text).
 */
export async function* membersCsv(runtime: Runtime, status: ExportStatus, search = '', withheld: string[] = []): AsyncGenerator<string | Buffer> {
  const { db, config, keys } = runtime;
  yield csvRow([...EXPORT_COLUMNS]);
  yield* membersCopyLines(db, config.baseUrl, keys.claimLink, { status, search: search.trim().toLowerCase(), withheld }, runtime.now());
}
