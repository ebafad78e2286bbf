import type { EntityManager } from 'typeorm';
import type { WebhookEndpointRow, WebhookMessageRow } from '../db/integration-rows.js';
import type { Runtime } from '../runtime.js';

/** The admins mail can reach: `admins` entries that are email addresses. */
export function adminAddresses(runtime: Runtime): string[] {
  return runtime.config.admins.map((entry) => (typeof entry === 'string' ? entry : entry.member)).filter((name) => name.includes('@'));
}

/**
 * A message went undelivered for the whole `retryFor`: the endpoint keeps failing, so it is disabled (its pending
 * messages wait until an admin turns it on again) and the admins are told by mail.
 */
export async function endpointGaveUp(runtime: Runtime, manager: EntityManager, endpoint: WebhookEndpointRow, message: WebhookMessageRow): Promise<boolean> {
  const now = runtime.now();
  const result = await manager.update(runtime.db.entities.WebhookEndpoint, { id: endpoint.id, state: 'active' }, { state: 'disabled', disabledAt: now, updatedAt: now });
  if (result.affected !== 1) return false;
  await runtime.audit({
    event: 'webhook.endpoint_disabled', outcome: 'failure', actorId: 'webhooks',
    details: { endpoint: endpoint.name, url: endpoint.url, webhookId: message.msgId, failingSince: (endpoint.failingSince ?? now).toISOString() },
  }, manager);
  return true;
}

/** Run after the commit that disabled the endpoint; a mail that fails is logged, the endpoint stays disabled. */
export async function mailAdminsAboutDisabled(runtime: Runtime, endpoint: WebhookEndpointRow, message: WebhookMessageRow): Promise<void> {
  const now = runtime.now();
  const text = [
    `claimgate stopped sending events to the webhook endpoint "${endpoint.name}" (${endpoint.url}).`,
    '',
    `It has failed every delivery since ${(endpoint.failingSince ?? now).toISOString()}, and message ${message.msgId} could not be delivered in the retry period.`,
    'Messages that were waiting are kept; new events are not queued for it. Once the receiver works again, turn it back on:',
    '',
    `  claimgate webhook enable ${endpoint.name}`,
    '',
    `Delivery attempts: ${runtime.config.baseUrl}/admin/webhooks`,
  ].join('\n');
  for (const to of adminAddresses(runtime)) {
    await runtime.mailer.send({ to, subject: `Webhook endpoint ${endpoint.name} disabled`, text, html: `<pre>${escapeHtml(text)}</pre>` })
      .catch((error: unknown) => runtime.logger.error({ err: error }, 'mail about a disabled webhook endpoint failed'));
  }
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
