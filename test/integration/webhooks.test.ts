import request from 'supertest';
import { inviteByEmail } from '../../src/members/invite.js';
import { createToken } from '../../src/tokens/tokens.js';
import { inviteByEmployeeId } from '../../src/members/invite-employee.js';
import { revokeInvitation } from '../../src/members/revoke.js';
import { deleteExpiredFiles } from '../../src/jobs/clean-up.js';
import { deliverWebhooks } from '../../src/webhooks/deliver.js';
import { createEndpoint, rotateEndpointSecret, setEndpointState } from '../../src/webhooks/endpoints.js';
import { newWebhookSecret } from '../../src/webhooks/secrets.js';
import { startHarness, type Harness } from '../support/harness.js';
import { mailsTo } from '../support/outbox.js';
import { startReceiver, type Receiver } from '../support/webhook-receiver.js';

const SECOND = 1000;
const DAY = 24 * 60 * 60 * SECOND;

let h: Harness;
let configured: Receiver;
const configuredSecret = newWebhookSecret();
const receivers: Receiver[] = [];

beforeAll(async () => {
  configured = await startReceiver([configuredSecret]);
  // The receivers listen on 127.0.0.1.
  h = await startHarness({ webhooks: { allowPrivateTargets: true, endpoints: [{ name: 'siem', url: configured.url, secret: configuredSecret, events: ['member.invited', 'member.revoked'] }] } });
});
afterAll(async () => {
  await h.close();
  for (const receiver of [configured, ...receivers]) await receiver.close();
});

async function receiverWith(events: string[], answer?: Parameters<typeof startReceiver>[1], name = `hook-${receivers.length}`) {
  const receiver = await startReceiver([], answer);
  receivers.push(receiver);
  const created = await createEndpoint(h.runtime, { name, url: receiver.url, events: events as never }, 'test');
  receiver.secrets.push(created.secret);
  return { receiver, endpoint: created.endpoint, secret: created.secret };
}

const body = (delivery: { verified: unknown }) => delivery.verified as { type: string; data: { memberId: string; details: Record<string, unknown> } };

describe('webhooks', () => {
  it('signs every delivery so a receiver can tell claimgate from a forger (verified with standardwebhooks)', async () => {
    const invited = await inviteByEmail(h.runtime, { email: 'signed@example.com', name: 'Signed', actorId: 'test' });
    await deliverWebhooks(h.runtime);
    const mine = configured.deliveries.filter((delivery) => body(delivery).data?.memberId === invited.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.verified).toBeDefined();
    expect(body(mine[0]!).type).toBe('member.invited');
    expect(mine[0]!.id).toMatch(/^msg_[A-Za-z0-9_-]{20,}$/);
    // The config filter holds: member.provisioned happened too, but this endpoint did not ask for it.
    expect(configured.deliveries.every((delivery) => ['member.invited', 'member.revoked'].includes(body(delivery).type))).toBe(true);
  });

  it('a receiver with another secret rejects the delivery (a forged or misdirected event is detectable)', async () => {
    const { receiver } = await receiverWith(['member.invited']);
    receiver.secrets.splice(0, 1, newWebhookSecret());
    await inviteByEmail(h.runtime, { email: 'forged@example.com', actorId: 'test' });
    await deliverWebhooks(h.runtime);
    expect(receiver.deliveries).toHaveLength(1);
    expect(receiver.deliveries[0]!.verified).toBeUndefined();
  });

  it('retries a failing receiver with backoff and the same webhook-id, so deduplication leaves the event exactly once', async () => {
    const { receiver } = await receiverWith(['member.invited'], (index) => (index < 2 ? 500 : 200));
    const invited = await inviteByEmail(h.runtime, { email: 'retry@example.com', actorId: 'test' });
    await deliverWebhooks(h.runtime);
    expect(receiver.deliveries).toHaveLength(1);
    // Not due yet: nothing is sent before the backoff has passed.
    await deliverWebhooks(h.runtime);
    expect(receiver.deliveries).toHaveLength(1);
    h.advance(10 * SECOND);
    await deliverWebhooks(h.runtime);
    expect(receiver.deliveries).toHaveLength(2);
    h.advance(10 * SECOND);
    await deliverWebhooks(h.runtime);
    expect(receiver.deliveries).toHaveLength(2);
    h.advance(10 * SECOND);
    await deliverWebhooks(h.runtime);
    expect(receiver.deliveries).toHaveLength(3);
    expect(new Set(receiver.deliveries.map((delivery) => delivery.id)).size).toBe(1);
    const processed = receiver.unique();
    expect(processed).toHaveLength(1);
    expect(body(processed[0]!).data.memberId).toBe(invited.id);
    const { db } = h.runtime;
    const message = await db.source.manager.findOneByOrFail(db.entities.WebhookMessage, { msgId: processed[0]!.id });
    expect(message).toMatchObject({ state: 'delivered', attempts: 3, lastStatus: 200 });
    const attempts = await db.source.manager.find(db.entities.WebhookAttempt, { where: { messageId: message.id }, order: { id: 'ASC' } });
    expect(attempts.map((attempt) => attempt.status)).toEqual([500, 500, 200]);
    expect(attempts[0]!.nextAttemptAt).not.toBeNull();
    expect(attempts[2]!.nextAttemptAt).toBeNull();
    // Delivered messages are not sent again.
    h.advance(DAY);
    await deliverWebhooks(h.runtime);
    expect(receiver.deliveries).toHaveLength(3);
  });

  it('delivers one member\'s events in order even when the first one has to be retried (no reordering of joiner/leaver)', async () => {
    const { receiver } = await receiverWith(['member.provisioned', 'member.invited', 'member.revoked'], (index) => (index === 0 ? 503 : 204));
    const invited = await inviteByEmail(h.runtime, { email: 'ordered@example.com', actorId: 'test' });
    await revokeInvitation(h.runtime, invited.id, 'test');
    await deliverWebhooks(h.runtime);
    // Only the first event was tried: the later ones wait behind it.
    expect(receiver.deliveries.map((delivery) => body(delivery).type)).toEqual(['member.provisioned']);
    h.advance(10 * SECOND);
    await deliverWebhooks(h.runtime);
    expect(receiver.unique().map((delivery) => body(delivery).type)).toEqual(['member.provisioned', 'member.invited', 'member.revoked']);
  });

  it('never puts a claim link, access code or secret in a payload (receivers and their logs see no credentials)', async () => {
    const { receiver, secret } = await receiverWith(['*']);
    const linked = await inviteByEmail(h.runtime, { email: 'nosecret@example.com', actorId: 'test' });
    const coded = await inviteByEmployeeId(h.runtime, { employeeId: 'E-WEBHOOK-1', name: 'Coded Member', actorId: 'test' });
    await deliverWebhooks(h.runtime);
    expect(receiver.unique().length).toBeGreaterThanOrEqual(4);
    const all = receiver.deliveries.map((delivery) => delivery.body).join('\n');
    const linkToken = linked.claimUrl.split('/').pop()!;
    expect(all).not.toContain(linkToken);
    expect(all).not.toContain(coded.accessCode);
    expect(all).not.toContain(coded.accessCode.replace(/-/g, ''));
    expect(all).not.toContain(secret);
    expect(all).not.toContain(secret.slice('whsec_'.length));
    expect(all).not.toContain(configuredSecret.slice('whsec_'.length));
  });

  it('leaves the client IP address out of every payload (receivers learn what happened, not where people are)', async () => {
    // Attack: a third-party receiver (or whoever reads its logs) building a location trail of members and admins.
    const { receiver } = await receiverWith(['member.invited'], undefined, 'no-ip');
    const { token } = await createToken(h.runtime, { name: 'webhook-ip', permissions: ['accounts:manage'] }, 'test');
    const invited = await request(h.app).post('/admin/api/members').set('Authorization', `Bearer ${token}`).send({ email: 'no-ip@example.com' }).expect(201);
    const row = await h.runtime.db.source.manager.findOneByOrFail(h.runtime.db.entities.AuditEvent, { event: 'member.invited', memberId: invited.body.id as string });
    expect(row.ip).toBeTruthy();
    await deliverWebhooks(h.runtime);
    const delivered = receiver.unique();
    expect(delivered).toHaveLength(1);
    expect(body(delivered[0]!).data.memberId).toBe(invited.body.id);
    expect(body(delivered[0]!).data).not.toHaveProperty('ip');
    expect(delivered[0]!.body).not.toContain(row.ip!);
  });

  it('signs with both secrets while a rotation overlaps, so receivers holding either one accept, then only with the new one', async () => {
    const { receiver, endpoint, secret: old } = await receiverWith(['member.invited']);
    const rotated = await rotateEndpointSecret(h.runtime, endpoint.name, 'test');
    receiver.secrets.splice(0, receiver.secrets.length, old);
    await inviteByEmail(h.runtime, { email: 'rotate-1@example.com', actorId: 'test' });
    await deliverWebhooks(h.runtime);
    expect(receiver.deliveries[0]!.signature.split(' ')).toHaveLength(2);
    expect(receiver.deliveries[0]!.verified).toBeDefined();
    receiver.secrets.splice(0, 1, rotated.secret);
    await inviteByEmail(h.runtime, { email: 'rotate-2@example.com', actorId: 'test' });
    await deliverWebhooks(h.runtime);
    expect(receiver.deliveries[1]!.verified).toBeDefined();
    // Past the overlap the old secret no longer signs: a leaked old secret stops working.
    h.advance(h.config.webhooks.rotationOverlap + SECOND);
    receiver.secrets.splice(0, 1, old);
    await inviteByEmail(h.runtime, { email: 'rotate-3@example.com', actorId: 'test' });
    await deliverWebhooks(h.runtime);
    expect(receiver.deliveries[2]!.signature.split(' ')).toHaveLength(1);
    expect(receiver.deliveries[2]!.verified).toBeUndefined();
  });

  it('disables an endpoint that fails for the whole retry period and mails the admins; enabling it resumes delivery', async () => {
    let failing = true;
    const { receiver, endpoint } = await receiverWith(['member.invited'], () => (failing ? 500 : 204), 'always-down');
    await inviteByEmail(h.runtime, { email: 'down@example.com', actorId: 'test' });
    await deliverWebhooks(h.runtime);
    for (let hours = 0; hours < 80; hours += 1) {
      h.advance(60 * 60 * SECOND);
      await deliverWebhooks(h.runtime);
    }
    const { db } = h.runtime;
    const row = await db.source.manager.findOneByOrFail(db.entities.WebhookEndpoint, { id: endpoint.id });
    expect(row.state).toBe('disabled');
    const message = await db.source.manager.findOneByOrFail(db.entities.WebhookMessage, { endpointId: endpoint.id });
    expect(message.state).toBe('failed');
    // Roughly doubling delays: a handful of tries over three days, not a flood.
    expect(receiver.deliveries.length).toBeGreaterThan(5);
    expect(receiver.deliveries.length).toBeLessThan(30);
    const mail = mailsTo(h.dataDir, 'admin@example.com').find((text) => text.includes('Subject: Webhook endpoint always-down disabled'));
    expect(mail).toBeDefined();
    const audit = await db.source.manager.findOneBy(db.entities.AuditEvent, { event: 'webhook.endpoint_disabled' });
    expect(JSON.parse(audit!.details)).toMatchObject({ endpoint: 'always-down' });
    // While disabled, new events are not queued for it; turned on again, it receives the next ones.
    failing = false;
    const before = receiver.deliveries.length;
    await setEndpointState(h.runtime, endpoint.name, 'active', 'test');
    await inviteByEmail(h.runtime, { email: 'back-up@example.com', actorId: 'test' });
    await deliverWebhooks(h.runtime);
    expect(receiver.deliveries.length).toBe(before + 1);
    expect(receiver.deliveries.at(-1)!.status).toBe(204);
  });

  it('refuses endpoint URLs that are not http(s) (no file:, gopher: or data: requests from the server)', async () => {
    for (const url of ['file:///etc/passwd', 'gopher://127.0.0.1:6379/_INFO', 'data:text/plain,hi', 'not a url']) {
      await expect(createEndpoint(h.runtime, { name: 'bad-url', url }, 'test')).rejects.toMatchObject({ code: 'validation_failed' });
    }
  });

  it('writes the outbox row in the audit row\'s transaction: a rolled-back change reports nothing', async () => {
    const { receiver } = await receiverWith(['member.reminded']);
    const { db } = h.runtime;
    await expect(db.transaction(async (manager) => {
      await h.runtime.audit({ event: 'member.reminded', actorId: 'test', details: {} }, manager);
      throw new Error('rolled back');
    })).rejects.toThrow('rolled back');
    await deliverWebhooks(h.runtime);
    expect(receiver.deliveries).toHaveLength(0);
    await h.runtime.audit({ event: 'member.reminded', actorId: 'test', details: {} });
    await deliverWebhooks(h.runtime);
    expect(receiver.unique()).toHaveLength(1);
  });

  it('forgets settled messages after 30 days but never a pending one (the log cannot grow without bound, no event is dropped)', async () => {
    const { endpoint } = await receiverWith(['member.reminded'], () => 204);
    const { db } = h.runtime;
    await h.runtime.audit({ event: 'member.reminded', actorId: 'test' });
    await deliverWebhooks(h.runtime);
    await setEndpointState(h.runtime, endpoint.name, 'disabled', 'test');
    // Queued for the endpoints that take every event, and left pending.
    await h.runtime.audit({ event: 'member.reminded', actorId: 'test' });
    const all = () => db.source.manager.countBy(db.entities.WebhookMessage, {});
    const pendingBefore = await db.source.manager.countBy(db.entities.WebhookMessage, { state: 'pending' });
    expect(await db.source.manager.countBy(db.entities.WebhookMessage, { endpointId: endpoint.id, state: 'delivered' })).toBe(1);
    h.advance(31 * DAY);
    await deleteExpiredFiles(h.runtime);
    expect(await db.source.manager.countBy(db.entities.WebhookMessage, { endpointId: endpoint.id })).toBe(0);
    expect(await db.source.manager.countBy(db.entities.WebhookMessage, { state: 'pending' })).toBe(pendingBefore);
    expect(await all()).toBe(pendingBefore);
  });
});
