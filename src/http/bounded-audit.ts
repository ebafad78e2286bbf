import type { AuditEntry } from '../audit/audit.js';
import type { Runtime } from '../runtime.js';
import { consumeOrRefusal, createLimiter, isFirstAt } from './rate-limits.js';

export interface AuditBound {
  /** A short name for the counters' keys. */
  name: string;
  /** Rows written per client and window before the summary row. */
  rows: number;
  windowSeconds: number;
}

/**
 * Audit rows that anonymous input can cause (a refused CSRF token, say) are bounded per client and window, so a
 * flood of requests cannot fill the append-only table: the first `rows` are written as they come, the next one
 * becomes a summary row (`suppressed: true`, with the bound), and the rest of the window writes nothing.
 */
export function boundedAudit(runtime: Runtime, bound: AuditBound): (clientKey: string, entry: AuditEntry) => Promise<void> {
  const limiter = createLimiter(runtime, { keyPrefix: `audit-${bound.name}`, points: bound.rows, durationSeconds: bound.windowSeconds });
  return async (clientKey, entry) => {
    const refusal = await consumeOrRefusal(limiter, clientKey);
    if (!refusal) return runtime.audit(entry);
    if (!isFirstAt(limiter, refusal.consumedPoints, 'exceeded')) return;
    await runtime.audit({ ...entry, details: { ...entry.details, suppressed: true, rowsPerWindow: bound.rows, windowSeconds: bound.windowSeconds } });
  };
}
