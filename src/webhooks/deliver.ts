import { performance } from 'node:perf_hooks';
import { Webhook } from 'standardwebhooks';
import type { WebhookEndpointRow, WebhookMessageRow } from '../db/integration-rows.js';
import type { Runtime } from '../runtime.js';
import { signingSecrets } from './endpoints.js';
import { refusalOf, webhookFetch } from './guarded-fetch.js';
import { endpointGaveUp, mailAdminsAboutDisabled } from './give-up.js';

/** Messages claimed per round; each is the oldest pending one of its member at its endpoint. */
const BATCH = 100;
/** Deliveries in flight at once from one process. */
const PARALLEL = 16;

/** The share of a delay that jitter may take off. */
export const BACKOFF_JITTER = 0.1;

/**
 * The delay before retry number `failures` (1 = after the first failure): doubling from `firstBackoff`, capped, less
 * up to 10% at random, so the messages of one outage do not all come back at the same instant. Never longer than the
 * plain schedule, so `retryFor` still bounds the retries.
 */
export function backoff(runtime: Runtime, failures: number, random: () => number = Math.random): number {
  const { firstBackoff, maxBackoff } = runtime.config.webhooks;
  const plain = Math.min(firstBackoff * 2 ** Math.min(failures - 1, 30), maxBackoff);
  return Math.round(plain * (1 - BACKOFF_JITTER * random()));
}

/** Signs with every secret valid now: `v1,<sig> v1,<sig>` during a rotation, so receivers holding either accept it. */
export function signatureHeader(secrets: string[], msgId: string, timestamp: Date, body: string): string {
  return secrets.map((secret) => new Webhook(secret).sign(msgId, timestamp, body)).join(' ');
}

interface Outcome {
  status: number | null;
  error: string | null;
  durationMs: number;
}

async function post(runtime: Runtime, endpoint: WebhookEndpointRow, message: WebhookMessageRow): Promise<Outcome> {
  const secrets = signingSecrets(runtime, endpoint);
  if (!secrets.length) return { status: null, error: 'no signing secret configured', durationMs: 0 };
  // The receiver compares this with its own clock (replay tolerance), so it is the wall clock, not the runtime's.
  const timestamp = new Date();
  const started = performance.now();
  try {
    const response = await webhookFetch(endpoint.url, {
      method: 'POST',
      redirect: 'manual',
      // A delivery cut off by shutdown is recorded as failed and retried: it must not hold the process for the timeout.
      signal: AbortSignal.any([AbortSignal.timeout(runtime.config.webhooks.timeout), runtime.stopping]),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'claimgate-webhooks',
        'webhook-id': message.msgId,
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': signatureHeader(secrets, message.msgId, timestamp, message.payload),
      },
      body: message.payload,
    }, runtime.config.webhooks.allowPrivateTargets);
    // The body is not needed; reading it frees the connection.
    await response.arrayBuffer().catch(() => undefined);
    const ok = response.status >= 200 && response.status < 300;
    return { status: response.status, error: ok ? null : `answered ${response.status}`, durationMs: Math.round(performance.now() - started) };
  } catch (error) {
    const refused = refusalOf(error);
    if (refused) return { status: null, error: `refused: ${refused}`.slice(0, 200), durationMs: Math.round(performance.now() - started) };
    const reason = runtime.stopping.aborted ? 'interrupted: claimgate stopped' : error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : `no answer: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}`;
    return { status: null, error: reason.slice(0, 200), durationMs: Math.round(performance.now() - started) };
  }
}

interface Attempt {
  endpoint: WebhookEndpointRow;
  message: WebhookMessageRow;
  outcome: Outcome;
}

/**
 * Records a round's attempts in one transaction and moves each message on: delivered, retried later, or given up once
 * `retryFor` has passed. A crash before this commit only means those messages are sent again (same webhook-id).
 */
async function record(runtime: Runtime, attempts: Attempt[]): Promise<void> {
  const { db } = runtime;
  const now = runtime.now();
  const gaveUp: Attempt[] = [];
  await db.transaction(async (manager) => {
    for (const attempt of attempts) {
      const { endpoint, message, outcome } = attempt;
      const tries = message.attempts + 1;
      const delivered = outcome.error === null;
      const retryAt = delivered ? null : new Date(now.getTime() + backoff(runtime, tries));
      const givenUp = retryAt !== null && retryAt.getTime() > message.createdAt.getTime() + runtime.config.webhooks.retryFor;
      await manager.insert(db.entities.WebhookAttempt, {
        messageId: message.id, endpointId: endpoint.id, attemptedAt: now, status: outcome.status, durationMs: outcome.durationMs,
        error: outcome.error, nextAttemptAt: givenUp ? null : retryAt,
      });
      await manager.update(db.entities.WebhookMessage, { id: message.id }, {
        attempts: tries, lastStatus: outcome.status, leaseUntil: null,
        ...(delivered ? { state: 'delivered' as const, deliveredAt: now } : givenUp ? { state: 'failed' as const } : { nextAttemptAt: retryAt! }),
      });
      if (givenUp) gaveUp.push(attempt);
      runtime.metrics.webhookDeliveries.inc({ outcome: delivered ? 'delivered' : givenUp ? 'failed' : 'retry' });
    }
    // An endpoint that answered once in this round is not failing; one that failed every time is, since its first failure.
    for (const endpoint of new Map(attempts.map((attempt) => [attempt.endpoint.id, attempt.endpoint])).values()) {
      const answered = attempts.some((attempt) => attempt.endpoint.id === endpoint.id && attempt.outcome.error === null);
      if (answered && endpoint.failingSince) await manager.update(db.entities.WebhookEndpoint, { id: endpoint.id }, { failingSince: null });
      if (!answered && !endpoint.failingSince) await manager.update(db.entities.WebhookEndpoint, { id: endpoint.id }, { failingSince: now });
    }
    for (let index = gaveUp.length - 1; index >= 0; index -= 1) {
      const { endpoint, message } = gaveUp[index]!;
      if (!(await endpointGaveUp(runtime, manager, endpoint, message))) gaveUp.splice(index, 1);
    }
  });
  for (const { endpoint, message } of gaveUp) await mailAdminsAboutDisabled(runtime, endpoint, message);
}

/**
 * Claims the due messages that are first in line for their member (so each member's events arrive in order), with a
 * lease no other process can take while it lasts, and delivers them. A crash mid-delivery leaves the lease to expire
 * and the message to be sent again with the same `webhook-id`: at least once.
 */
async function deliverRound(runtime: Runtime): Promise<number> {
  const { db } = runtime;
  const now = runtime.now();
  const candidates = await db.source.getRepository(db.entities.WebhookMessage).createQueryBuilder('m')
    .innerJoin('webhook_endpoints', 'e', 'e.id = m.endpoint_id AND e.state = :active', { active: 'active' })
    .where('m.state = :pending', { pending: 'pending' })
    .andWhere('m.next_attempt_at <= :now', { now })
    .andWhere('(m.lease_until IS NULL OR m.lease_until < :now)', { now })
    .andWhere(`NOT EXISTS (SELECT 1 FROM webhook_messages earlier WHERE earlier.endpoint_id = m.endpoint_id
      AND earlier.member_key = m.member_key AND earlier.state = 'pending' AND earlier.id < m.id)`)
    .orderBy('m.id', 'ASC')
    .limit(BATCH)
    .getMany();
  if (!candidates.length) return 0;
  // Outlasts the whole round even if every receiver times out (the round's attempts are recorded at its end), with room
  // to spare for the recording: another process takes a message over only once its sender is surely gone.
  const waves = Math.ceil(candidates.length / PARALLEL) + 1;
  const lease = new Date(now.getTime() + waves * runtime.config.webhooks.timeout + 5_000);
  // Each claim is conditional on the lease being free, so of two processes racing for a message exactly one wins it.
  const claimed = await db.transaction(async (manager) => {
    const won: WebhookMessageRow[] = [];
    for (const message of candidates) {
      const result = await manager.createQueryBuilder().update(db.entities.WebhookMessage).set({ leaseUntil: lease })
        .where('id = :id AND state = :pending AND (lease_until IS NULL OR lease_until < :now)', { id: message.id, pending: 'pending', now })
        .execute();
      if (result.affected === 1) won.push(message);
    }
    return won;
  });
  const endpoints = new Map<string, WebhookEndpointRow>();
  for (const id of new Set(claimed.map((message) => message.endpointId))) {
    const endpoint = await db.source.manager.findOneBy(db.entities.WebhookEndpoint, { id });
    if (endpoint) endpoints.set(id, endpoint);
  }
  const attempts: Attempt[] = [];
  let next = 0;
  const worker = async () => {
    while (next < claimed.length) {
      const message = claimed[next++]!;
      const endpoint = endpoints.get(message.endpointId);
      if (endpoint) attempts.push({ endpoint, message, outcome: await post(runtime, endpoint, message) });
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, claimed.length) }, worker));
  if (attempts.length) await record(runtime, attempts);
  return claimed.length;
}

/** Delivers until nothing is due. Safe to run on every replica at once: the leases keep each message to one of them. */
export async function deliverWebhooks(runtime: Runtime): Promise<number> {
  let total = 0;
  for (;;) {
    const delivered = await deliverRound(runtime);
    total += delivered;
    if (!delivered || runtime.stopping.aborted) return total;
  }
}
