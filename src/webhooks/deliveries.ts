import { In, LessThan, type FindOptionsWhere } from 'typeorm';
import type { WebhookAttemptRow, WebhookMessageRow } from '../db/integration-rows.js';
import type { Runtime } from '../runtime.js';

export interface DeliveryQuery {
  endpointId?: string;
  state?: WebhookMessageRow['state'];
  /** Keyset cursor: messages with a smaller id than this one. */
  before?: string;
  limit: number;
}

function publicAttempt(attempt: WebhookAttemptRow) {
  return {
    attemptedAt: attempt.attemptedAt.toISOString(), status: attempt.status, durationMs: attempt.durationMs, error: attempt.error,
    nextAttemptAt: attempt.nextAttemptAt?.toISOString() ?? null,
  };
}

/** Messages newest first, each with its attempts (status, duration, next try): the delivery log of the pages, API and CLI. */
export async function listDeliveries(runtime: Runtime, query: DeliveryQuery) {
  const { db } = runtime;
  const where: FindOptionsWhere<WebhookMessageRow> = {};
  if (query.endpointId) where.endpointId = query.endpointId;
  if (query.state) where.state = query.state;
  if (query.before) where.id = LessThan(query.before);
  const messages = await db.source.manager.find(db.entities.WebhookMessage, { where, order: { id: 'DESC' }, take: query.limit + 1 });
  const page = messages.slice(0, query.limit);
  const attempts = page.length
    ? await db.source.manager.find(db.entities.WebhookAttempt, { where: { messageId: In(page.map((message) => message.id)) }, order: { id: 'ASC' } })
    : [];
  const endpoints = new Map((await db.source.manager.find(db.entities.WebhookEndpoint, { select: { id: true, name: true } })).map((endpoint) => [endpoint.id, endpoint.name]));
  return {
    deliveries: page.map((message) => ({
      id: String(message.id),
      webhookId: message.msgId,
      endpoint: endpoints.get(message.endpointId) ?? null,
      event: message.event,
      memberId: message.memberKey,
      state: message.state,
      attempts: message.attempts,
      lastStatus: message.lastStatus,
      createdAt: message.createdAt.toISOString(),
      deliveredAt: message.deliveredAt?.toISOString() ?? null,
      nextAttemptAt: message.state === 'pending' ? message.nextAttemptAt.toISOString() : null,
      tries: attempts.filter((attempt) => String(attempt.messageId) === String(message.id)).map(publicAttempt),
    })),
    next: messages.length > query.limit ? String(page.at(-1)!.id) : null,
  };
}

/** The number of messages waiting, for the bench and the admin page. */
export async function pendingCount(runtime: Runtime): Promise<number> {
  return runtime.db.source.manager.countBy(runtime.db.entities.WebhookMessage, { state: 'pending' });
}
