import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import { createToken } from '../../src/tokens/tokens.js';
import { deliverWebhooks } from '../../src/webhooks/deliver.js';
import { createEndpoint } from '../../src/webhooks/endpoints.js';
import { newWebhookSecret } from '../../src/webhooks/secrets.js';
import { startHarness, type Harness } from '../support/harness.js';
import { startReceiver, type Receiver } from '../support/webhook-receiver.js';

// webhooks.allowPrivateTargets is off (the default): the receiver on 127.0.0.1 stands for an internal service.
let h: Harness;
let receiver: Receiver;
let manager: string;
let redirector: Server;

beforeAll(async () => {
  h = await startHarness();
  receiver = await startReceiver([]);
  manager = (await createToken(h.runtime, { name: 'hook-admin', permissions: ['accounts:manage'] }, 'test')).token;
});
afterAll(async () => {
  await h.close();
  await receiver.close();
  if (redirector) await new Promise((resolve) => redirector.close(resolve));
});

const bearer = () => ({ Authorization: `Bearer ${manager}` });
const port = () => new URL(receiver.url).port;
const endpoints = () => h.runtime.db.source.manager.count(h.runtime.db.entities.WebhookEndpoint);
const attemptsOf = (endpointId: string) => h.runtime.db.source.manager.findBy(h.runtime.db.entities.WebhookAttempt, { endpointId });

/** Creates an endpoint as if private targets were allowed then (or the name resolved elsewhere), and turns it off again. */
async function savedWhileAllowed(name: string, url: string) {
  const settings = h.runtime.config.webhooks;
  settings.allowPrivateTargets = true;
  try {
    return (await createEndpoint(h.runtime, { name, url, events: ['member.reminded'] }, 'test')).endpoint;
  } finally {
    settings.allowPrivateTargets = false;
  }
}

describe('webhook targets', () => {
  // Attack: blind SSRF to cloud metadata and internal services, with the delivery log as a status oracle.
  it.each([
    ['the cloud metadata address', 'http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a linkLocal address/],
    ['loopback', () => `http://127.0.0.1:${port()}/hook`, /loopback/],
    ['a name resolving to loopback', () => `http://localhost:${port()}/hook`, /localhost resolves to (127\.0\.0\.1|::1), a loopback address/],
    ['loopback written as a number', 'http://2130706433/', /loopback/],
    ['IPv6 loopback', 'http://[::1]/', /loopback/],
    ['IPv4-mapped IPv6 loopback', 'http://[::ffff:127.0.0.1]/', /loopback/],
    ['RFC 1918', 'https://10.0.0.5/hook', /private/],
    ['RFC 1918 (192.168/16)', 'https://192.168.1.1/hook', /private/],
    ['IPv6 unique local', 'http://[fd00::1]/', /uniqueLocal/],
    ['IPv6 link-local', 'http://[fe80::1]/', /linkLocal/],
    ['the unspecified address', 'http://0.0.0.0/', /unspecified/],
    ['multicast', 'http://224.0.0.1/', /multicast/],
    ['a metadata name', 'http://metadata.google.internal/computeMetadata/v1/', /cloud metadata/],
  ])('refuses %s when the endpoint is created (400, nothing saved)', async (_what, url, reason) => {
    const before = await endpoints();
    const refused = await request(h.app).post('/admin/api/webhooks').set(bearer()).send({ name: 'probe', url: typeof url === 'function' ? url() : url, events: ['*'] }).expect(400);
    expect(refused.body.error.code).toBe('validation_failed');
    expect(refused.body.error.message).toMatch(reason);
    expect(refused.body.error.message).toContain('webhooks.allowPrivateTargets');
    expect(await endpoints()).toBe(before);
  });

  // Attack: DNS rebinding: a name that was public when the endpoint was saved resolves to an internal address later.
  it('checks the address connected to at delivery: a name now resolving to loopback is refused and nothing is sent', async () => {
    const byName = await savedWhileAllowed('rebound', `http://localhost:${port()}/hook`);
    const byAddress = await savedWhileAllowed('literal', `http://127.0.0.1:${port()}/hook`);
    await h.runtime.audit({ event: 'member.reminded', actorId: 'test' });
    await deliverWebhooks(h.runtime);
    expect(receiver.deliveries).toHaveLength(0);
    const [named] = await attemptsOf(byName.id);
    expect(named).toMatchObject({ status: null, error: expect.stringMatching(/^refused: localhost resolves to (127\.0\.0\.1|::1), a loopback address/) });
    const [literal] = await attemptsOf(byAddress.id);
    expect(literal).toMatchObject({ status: null, error: 'refused: 127.0.0.1 is a loopback address, not a public one' });
    // The same endpoints deliver once an operator allows private targets: the refusal was the rule, not a broken socket.
    h.runtime.config.webhooks.allowPrivateTargets = true;
    try {
      await h.runtime.db.source.manager.update(h.runtime.db.entities.WebhookMessage, { endpointId: byName.id }, { nextAttemptAt: h.runtime.now() });
      await deliverWebhooks(h.runtime);
    } finally {
      h.runtime.config.webhooks.allowPrivateTargets = false;
    }
    expect(receiver.deliveries.length).toBeGreaterThan(0);
    for (const endpoint of [byName, byAddress]) await request(h.app).post(`/admin/api/webhooks/${endpoint.name}/delete`).set(bearer()).expect(200);
  });

  // Attack: a public receiver answers with a redirect to an internal address to bounce the delivery inwards.
  it('does not follow a redirect', async () => {
    redirector = createServer((_req, res) => res.writeHead(302, { Location: receiver.url }).end());
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    const before = receiver.deliveries.length;
    h.runtime.config.webhooks.allowPrivateTargets = true;
    try {
      const endpoint = (await createEndpoint(h.runtime, { name: 'bouncer', url: `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/`, events: ['member.reminded'] }, 'test')).endpoint;
      await h.runtime.audit({ event: 'member.reminded', actorId: 'test' });
      await deliverWebhooks(h.runtime);
      expect((await attemptsOf(endpoint.id))[0]).toMatchObject({ status: 302, error: 'answered 302' });
    } finally {
      h.runtime.config.webhooks.allowPrivateTargets = false;
    }
    expect(receiver.deliveries.length).toBe(before);
  });

  // Attack: credentials in the URL leak to read-only tokens and into the append-only audit trail.
  it('refuses a URL with user:pass@ on the API and in the configuration, and no trace of it is kept', async () => {
    const refused = await request(h.app).post('/admin/api/webhooks').set(bearer())
      .send({ name: 'with-creds', url: 'https://user:s3cr3t-pass@hooks.example.com/in', events: ['*'] }).expect(400);
    expect(refused.body.error.message).toMatch(/user name or password/);
    const rows = await h.runtime.db.source.manager.find(h.runtime.db.entities.AuditEvent);
    expect(JSON.stringify(rows)).not.toContain('s3cr3t-pass');
    expect(await h.runtime.db.source.manager.countBy(h.runtime.db.entities.WebhookEndpoint, { name: 'with-creds' })).toBe(0);
    const configured = (url: string, allowPrivateTargets = false) => () => parseConfig({
      baseUrl: 'http://x.test', webhooks: { allowPrivateTargets, endpoints: [{ name: 'siem', url, secret: newWebhookSecret() }] },
    }, 'test', {});
    expect(configured('https://user:pass@hooks.example.com/', true)).toThrow(/user name or password/);
  });

  // Attack: the same SSRF written into the configuration file of a deployment that never meant to allow it.
  it('refuses a literal internal address in the configuration unless webhooks.allowPrivateTargets is set', () => {
    const configured = (url: string, allowPrivateTargets = false) => () => parseConfig({
      baseUrl: 'http://x.test', webhooks: { allowPrivateTargets, endpoints: [{ name: 'siem', url, secret: newWebhookSecret() }] },
    }, 'test', {});
    expect(configured('http://169.254.169.254/latest/meta-data/')).toThrow(/linkLocal address.*webhooks\.allowPrivateTargets/s);
    expect(configured('http://169.254.169.254/latest/meta-data/', true)).not.toThrow();
    expect(configured('https://hooks.example.com/in')).not.toThrow();
    expect(configured('not a url')).toThrow(ConfigError);
  });
});
