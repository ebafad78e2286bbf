import { z } from 'zod';
import type { ExportStatus } from '../export/members-csv.js';

export interface ExportFilter {
  status: ExportStatus;
  /** Part of a name, email, username or employee ID; empty for everyone. */
  search: string;
}

export const exportFilterSchema = z.object({
  status: z.enum(['all', 'provisioned', 'invited', 'claimed', 'deactivated']).default('all'),
  search: z.string().trim().max(200).default(''),
});

export function parseStoredFilter(json: string): ExportFilter {
  return exportFilterSchema.parse(JSON.parse(json));
}
