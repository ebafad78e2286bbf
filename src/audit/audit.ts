import type { Request } from 'express';
import type { Database } from '../db/database.js';
import type { Logger } from '../logging/logger.js';
import type { AuditEvent, AuditOutcome, ClaimMethod } from './events.js';
import type { EntityManager } from 'typeorm';

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

export type Audit = (entry: AuditEntry, manager?: EntityManager) => Promise<void>;

function requestFacts(req: Request | undefined) {
  if (!req) return { ip: null, userAgent: null, requestId: null };
  return {
    ip: req.ip ?? null,
    userAgent: (req.get('user-agent') ?? '').slice(0, 512) || null,
    requestId: typeof req.id === 'string' ? req.id : req.id != null ? String(req.id) : null,
  };
}

/**
 * Writes one append-only audit row and the same facts as one JSON log line.
 * Pass `manager` to make the row part of a larger transaction (it then commits or rolls back with it).
 */
export function createAudit(db: Database, logger: Logger): Audit {
  const { AuditEvent: table } = db.entities;
  return async (entry, manager) => {
    const row = {
      time: new Date(),
      event: entry.event,
      outcome: entry.outcome ?? 'success',
      actorId: entry.actorId ?? null,
      memberId: entry.memberId ?? null,
      method: entry.method ?? null,
      traceId: entry.traceId ?? null,
      details: JSON.stringify(entry.details ?? {}),
      ...requestFacts(entry.req),
    };
    const log = () => logger.info({ audit: { ...row, details: entry.details ?? {} } }, `audit ${row.event} ${row.outcome}`);
    if (manager) {
      await manager.insert(table, row);
      db.afterCommit(manager, log);
    } else {
      await db.transaction((m) => m.insert(table, row));
      log();
    }
  };
}
