import type { AuditRow } from '../db/rows.js';

export type ReportedAuditRow = Omit<AuditRow, 'id'>;

/**
 * The body of a webhook: the audit row's facts (the audit contract already keeps secrets, codes, tokens and passwords
 * out of them), without the client's IP address: receivers learn what happened, not where people are. Detail keys that name a secret are dropped all the same, so a careless future caller cannot leak one
 * to every receiver.
 */
export function eventPayload(row: ReportedAuditRow) {
  const details = JSON.parse(row.details) as Record<string, unknown>;
  for (const key of Object.keys(details)) if (SECRET_KEY.test(key)) delete details[key];
  return {
    type: row.event,
    timestamp: row.time.toISOString(),
    data: {
      event: row.event,
      outcome: row.outcome,
      memberId: row.memberId,
      actorId: row.actorId,
      method: row.method,
      requestId: row.requestId,
      traceId: row.traceId,
      details,
    },
  };
}

const SECRET_KEY = /secret|token|password|passcode|accesscode|^code$|claimurl|claimlink|^link$|^url$/i;
