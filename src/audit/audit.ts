import type { Request } from 'express';
import { bulkInsert } from '../db/bulk-insert.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../logging/logger.js';
import type { AuditEvent, AuditOutcome, ClaimMethod } from './events.js';
import type { EntityManager } from 'typeorm';
import { queueWebhookMessages } from '../webhooks/outbox.js';

export interface AuditEntry {
  event: AuditEvent;
  outcome?: AuditOutcome;
  actorId?: string | null;
  memberId?: string | null;
  method?: ClaimMethod | null;
  traceId?: string | null;
  /** Never secrets, codes, tokens or passwords: callers pass facts only. */
  details?: Record<string, string | number | boolean | null | string[]>;
  req?: Request;
}

export interface Audit {
  (entry: AuditEntry, manager?: EntityManager): Promise<void>;
  /** Many events in one insert (bulk work such as an import); the same rows and log lines as one call each. */
  many(entries: AuditEntry[], manager: EntityManager): Promise<void>;
}

function requestFacts(req: Request | undefined) {
  if (!req) return { ip: null, userAgent: null, requestId: null };
  return {
    ip: req.ip ?? null,
    userAgent: (req.get('user-agent') ?? '').slice(0, 512) || null,
    requestId: typeof req.id === 'string' ? req.id : req.id != null ? String(req.id) : null,
  };
}

/**
 * Writes one append-only audit row and the same facts as one JSON log line, stamped with the runtime's clock.
 * Pass `manager` to make the row part of a larger transaction (it then commits or rolls back with it).
 */
export function createAudit(db: Database, logger: Logger, now: () => Date, webhooksQueued: () => void = () => undefined): Audit {
  const { AuditEvent: table } = db.entities;
  const toRow = (entry: AuditEntry) => ({
    time: now(),
    event: entry.event,
    outcome: entry.outcome ?? ('success' as const),
    actorId: entry.actorId ?? null,
    memberId: entry.memberId ?? null,
    method: entry.method ?? null,
    traceId: entry.traceId ?? null,
    details: JSON.stringify(entry.details ?? {}),
    ...requestFacts(entry.req),
  });
  const logLine = (row: ReturnType<typeof toRow>, entry: AuditEntry) => () =>
    logger.info({ audit: { ...row, details: entry.details ?? {} } }, `audit ${row.event} ${row.outcome}`);

  // The webhook outbox rows go into the same transaction as the audit rows they report (src/webhooks/outbox.ts).
  const insert = async (manager: EntityManager, rows: Array<ReturnType<typeof toRow>>) => {
    if (rows.length === 1) await manager.insert(table, rows[0]!);
    else await bulkInsert(db, manager, table, rows);
    if (await queueWebhookMessages(db, manager, rows)) db.afterCommit(manager, webhooksQueued);
  };

  const audit = (async (entry, manager) => {
    const row = toRow(entry);
    if (manager) {
      await insert(manager, [row]);
      db.afterCommit(manager, logLine(row, entry));
    } else {
      await db.transaction((m) => insert(m, [row]));
      logLine(row, entry)();
    }
  }) as Audit;
  audit.many = async (entries, manager) => {
    if (!entries.length) return;
    const rows = entries.map(toRow);
    await insert(manager, rows);
    rows.forEach((row, index) => db.afterCommit(manager, logLine(row, entries[index]!)));
  };
  return audit;
}
