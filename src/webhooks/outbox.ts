import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { Database } from '../db/database.js';
import type { WebhookMessageRow } from '../db/integration-rows.js';
import { eventPayload, type ReportedAuditRow } from './payload.js';

/** The `webhook-id` of one message: random, stable across retries. */
export function newMessageId(): string {
  return `msg_${randomBytes(16).toString('base64url')}`;
}

export function wantsEvent(events: string[], event: string): boolean {
  return events.includes('*') || events.includes(event);
}

/**
 * Called by the audit writer inside the audit row's transaction: one outbox row per active endpoint that subscribes to
 * the event. The rows commit or roll back with the audit row, so a crash can neither lose an event nor report one that
 * never happened. Returns whether anything was queued (the caller then wakes the deliverers after commit).
 */
export async function queueWebhookMessages(db: Database, manager: EntityManager, rows: ReportedAuditRow[]): Promise<boolean> {
  if (!rows.length) return false;
  const endpoints = await manager.find(db.entities.WebhookEndpoint, { select: { id: true, events: true }, where: { state: 'active' } });
  if (!endpoints.length) return false;
  const subscriptions = endpoints.map((endpoint) => ({ id: endpoint.id, events: JSON.parse(endpoint.events) as string[] }));
  const messages: Array<Partial<WebhookMessageRow>> = [];
  for (const row of rows) {
    for (const endpoint of subscriptions) {
      if (!wantsEvent(endpoint.events, row.event)) continue;
      const msgId = newMessageId();
      messages.push({
        endpointId: endpoint.id, msgId, event: row.event, memberKey: row.memberId ?? null, payload: JSON.stringify(eventPayload(row)),
        state: 'pending', attempts: 0, lastStatus: null, createdAt: row.time, nextAttemptAt: row.time, leaseUntil: null, deliveredAt: null,
      });
    }
  }
  if (!messages.length) return false;
  await db.dialect.bulkInsert(manager, db.entities.WebhookMessage, messages);
  return true;
}
