import request from 'supertest';
import type { RequestListener } from 'node:http';
import { createApp } from '../../src/http/app.js';
import { flatten, shippedCatalogues } from '../../src/i18n/catalogues.js';
import { createLogger } from '../../src/logging/logger.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { createToken, hashToken, revokeToken } from '../../src/tokens/tokens.js';
import { signedInMember } from '../support/admin.js';
import { csrfFrom } from '../support/browser-agent.js';
import { startHarness, type Harness } from '../support/harness.js';

const PER_MINUTE = 40;

let h: Harness;
let replica: Runtime;
let replicaApp: RequestListener;
let closeReplicaApp: () => void;
let admin: Awaited<ReturnType<typeof signedInMember>>;

// On PostgreSQL a second runtime on the same database stands for another replica; the embedded mode is one process,
// so there the second application shares the runtime (still a separate app with its own middleware state).
const replicas = Boolean(process.env.DATABASE_URL);

beforeAll(async () => {
  h = await startHarness({ apiTokens: { perMinute: PER_MINUTE } });
  replica = replicas ? await createRuntime(h.config, { logger: createLogger('silent') }) : h.runtime;
  const handle = createApp(replica);
  replicaApp = handle.handler;
  closeReplicaApp = handle.close;
  admin = await signedInMember(h, 'admin@example.com', 'Ada Admin');
});
afterAll(async () => {
  closeReplicaApp();
  if (replica !== h.runtime) await replica.close();
  await h.close();
});

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const auditRows = (event: string) => h.runtime.db.source.manager.find(h.runtime.db.entities.AuditEvent, { where: { event }, order: { id: 'ASC' } });

/** The English texts of the integrations page that the language translates differently, cut at placeholders. */
function englishOfIntegrationsPage(locale: string): string[] {
  const catalogues = shippedCatalogues();
  const own = flatten(catalogues[locale as keyof typeof catalogues]);
  const english = [...flatten(catalogues.en)].filter(([key, text]) => key.startsWith('integrations.') && own.get(key) !== text)
    .flatMap(([, text]) => text.split(/\{\{[^}]*\}\}/)).map((part) => part.trim()).filter((part) => part.length > 3);
  expect(english.length).toBeGreaterThan(40);
  return english;
}

/** Whether a text shows as words of its own ("Event" is not shown by "Eventos"). */
const shownIn = (visible: string) => (text: string) => new RegExp(`(?<!\\p{L})${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?!\\p{L})`, 'u').test(visible);

describe('service tokens on the admin API', () => {
  it('stores only a hash and a short prefix: a copy of the database cannot be replayed as a token', async () => {
    const created = await createToken(h.runtime, { name: 'stored', permissions: ['accounts:read'] }, 'test');
    expect(created.token).toMatch(/^cgt_[A-Za-z0-9_-]{43}$/);
    const row = await h.runtime.db.source.manager.findOneByOrFail(h.runtime.db.entities.ServiceToken, { name: 'stored' });
    expect(row.tokenHash).toBe(hashToken(created.token));
    expect(JSON.stringify(row)).not.toContain(created.token.slice(12));
    expect(row.prefix).toBe(created.token.slice(0, 12));
  });

  it('a token with accounts:read can list members but cannot write (least privilege holds for machines)', async () => {
    const { token } = await createToken(h.runtime, { name: 'reader', permissions: ['accounts:read'] }, 'test');
    const list = await request(h.app).get('/admin/api/members').set(bearer(token)).expect(200);
    expect(Array.isArray(list.body.members)).toBe(true);
    const refused = await request(h.app).post('/admin/api/members').set(bearer(token)).send({ email: 'not-created@example.com' }).expect(403);
    expect(refused.body.error.code).toBe('forbidden');
    const members = await h.runtime.db.source.manager.countBy(h.runtime.db.entities.Member, { email: 'not-created@example.com' });
    expect(members).toBe(0);
    const denied = (await auditRows('admin.access_denied')).at(-1)!;
    expect(denied.actorId).toBe('token:reader');
  });

  it('a token with accounts:manage acts without CSRF (no cookie to ride on) and every audit row names the token', async () => {
    const { token } = await createToken(h.runtime, { name: 'hr-sync', permissions: ['accounts:manage'] }, 'test');
    const invited = await request(h.app).post('/admin/api/members').set(bearer(token)).send({ email: 'from-hr@example.com', name: 'From HR' }).expect(201);
    const rows = await h.runtime.db.source.manager.find(h.runtime.db.entities.AuditEvent, { where: { memberId: invited.body.id } });
    expect(rows.map((row) => row.event).sort()).toEqual(['member.invited', 'member.provisioned']);
    expect(rows.every((row) => row.actorId === 'token:hr-sync')).toBe(true);
  });

  it('a revoked token is refused at once on every replica (no cached acceptance)', async () => {
    const { token } = await createToken(h.runtime, { name: 'to-revoke', permissions: ['accounts:read'] }, 'test');
    await request(h.app).get('/admin/api/members').set(bearer(token)).expect(200);
    await request(replicaApp).get('/admin/api/members').set(bearer(token)).expect(200);
    await revokeToken(h.runtime, 'to-revoke', 'test');
    const here = await request(h.app).get('/admin/api/members').set(bearer(token)).expect(401);
    expect(here.body.error.code).toBe('token_invalid');
    expect(here.headers['www-authenticate']).toContain('Bearer');
    await request(replicaApp).get('/admin/api/members').set(bearer(token)).expect(401);
  });

  it('an expired token is refused (a forgotten token stops working by itself)', async () => {
    const { token } = await createToken(h.runtime, { name: 'short-lived', permissions: ['accounts:read'], expiresIn: '1h' }, 'test');
    await request(h.app).get('/admin/api/members').set(bearer(token)).expect(200);
    h.advance(60 * 60 * 1000 + 1000);
    await request(h.app).get('/admin/api/members').set(bearer(token)).expect(401);
  });

  it('a request with both a session cookie and a bearer token is refused (no borrowing the cookie\'s authority)', async () => {
    const { token } = await createToken(h.runtime, { name: 'with-cookie', permissions: ['accounts:read'] }, 'test');
    const response = await admin.agent.get('/admin/api/members').set(bearer(token)).expect(400);
    expect(response.body.error.code).toBe('token_with_session');
  });

  it('a token never reaches member pages, the gateway or forward auth (a leaked API token is not a sign-in)', async () => {
    const { token } = await createToken(h.runtime, { name: 'wanderer', permissions: ['accounts:manage'] }, 'test');
    for (const path of ['/', '/admin', '/admin/people', '/auth/verify', '/claim/flow', '/some/upstream/path']) {
      const response = await request(h.app).get(path).set(bearer(token));
      expect([path, response.status]).toEqual([path, 403]);
      expect(response.text).not.toContain('Ada Admin');
    }
  });

  it('a token cannot mint or revoke tokens (a leaked token cannot make itself permanent)', async () => {
    const { token } = await createToken(h.runtime, { name: 'minter', permissions: ['accounts:manage'] }, 'test');
    await request(h.app).post('/admin/api/tokens').set(bearer(token)).send({ name: 'spawned', permissions: ['accounts:manage'] }).expect(403);
    await request(h.app).post('/admin/api/tokens/minter/revoke').set(bearer(token)).expect(403);
    expect(await h.runtime.db.source.manager.countBy(h.runtime.db.entities.ServiceToken, { name: 'spawned' })).toBe(0);
  });

  it('each token has its own rate limit (a runaway script is stopped, other tokens carry on)', async () => {
    const { token } = await createToken(h.runtime, { name: 'runaway', permissions: ['accounts:read'] }, 'test');
    const { token: calm } = await createToken(h.runtime, { name: 'calm', permissions: ['accounts:read'] }, 'test');
    const statuses: number[] = [];
    for (let index = 0; index <= PER_MINUTE; index += 1) statuses.push((await request(h.app).get('/admin/api/session').set(bearer(token))).status);
    expect(statuses.slice(0, PER_MINUTE).every((status) => status === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    await request(h.app).get('/admin/api/session').set(bearer(calm)).expect(200);
  });

  it('admins manage tokens through the API with their session and CSRF token; the token is shown once', async () => {
    const session = await admin.agent.get('/admin/api/session').expect(200);
    const created = await admin.agent.post('/admin/api/tokens').set('x-csrf-token', session.body.csrfToken).send({ name: 'via-api', permissions: ['accounts:read'] }).expect(201);
    expect(created.body.token).toMatch(/^cgt_/);
    const list = await admin.agent.get('/admin/api/tokens').expect(200);
    expect(JSON.stringify(list.body)).not.toContain(created.body.token);
    // Without the CSRF token a cross-site form cannot mint one.
    await admin.agent.post('/admin/api/tokens').send({ name: 'csrf-less', permissions: ['accounts:read'] }).expect(403);
    await admin.agent.post('/admin/api/tokens/via-api/revoke').set('x-csrf-token', session.body.csrfToken).expect(200);
    await request(h.app).get('/admin/api/session').set(bearer(created.body.token)).expect(401);
  });

  it('the integrations page lists tokens by prefix only and revokes them with a CSRF-protected form (no cross-site revocation)', async () => {
    const { token, id } = await createToken(h.runtime, { name: 'paged', permissions: ['accounts:read'] }, 'test');
    const page = await admin.agent.get('/admin/integrations').expect(200);
    expect(page.text).toContain('paged');
    expect(page.text).toContain(token.slice(0, 12));
    expect(page.text).not.toContain(token);
    expect(page.text).toMatch(/<caption>Recent webhook deliveries/);
    await admin.agent.post(`/admin/integrations/tokens/${id}/revoke`).type('form').send({}).expect(403);
    await request(h.app).get('/admin/api/session').set(bearer(token)).expect(200);
    await admin.agent.post(`/admin/integrations/tokens/${id}/revoke`).type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
    await request(h.app).get('/admin/api/session').set(bearer(token)).expect(401);
    const revoked = (await auditRows('token.revoked')).at(-1)!;
    expect(revoked.actorId).toBe(admin.id);
  });

  it('the integrations page speaks German to a German browser, notice included (no English state or revocation notice to misread)', async () => {
    const { id } = await createToken(h.runtime, { name: 'translated-de', permissions: ['accounts:read'] }, 'test');
    await revokeToken(h.runtime, id, 'test');
    const page = await admin.agent.get('/admin/integrations?done=revoked').set('Accept-Language', 'de').expect(200);
    expect(page.headers['content-language']).toBe('de');
    const visible = page.text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ');
    for (const heading of ['Webhook-Endpunkte', 'Letzte Webhook-Zustellungen (neueste zuerst, Zeiten in UTC)', 'Service-Tokens', 'Integrationen']) expect(visible).toContain(heading);
    expect(visible).toContain('Das Token ist widerrufen: Jede Anfrage damit wird ab jetzt abgelehnt.');
    expect(visible).toMatch(/widerrufen \d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    expect(englishOfIntegrationsPage('de').filter(shownIn(visible))).toEqual([]);
  });

  it.each(['fr', 'es', 'pt-BR', 'ja', 'ar'])('the integrations page in %s shows none of the English sentences of that page (no untranslated notice or state)', async (locale) => {
    const page = await admin.agent.get('/admin/integrations?done=disabled').set('Accept-Language', locale).expect(200);
    expect(page.headers['content-language']).toBe(locale);
    const visible = page.text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ');
    expect(visible).toContain(String(flatten(shippedCatalogues()[locale as 'fr']).get('integrations.done.disabled')));
    expect(englishOfIntegrationsPage(locale).filter(shownIn(visible))).toEqual([]);
  });

  it('unknown tokens get 401 and are audited, then throttled per address (guessing leaves a bounded trail)', async () => {
    const before = (await auditRows('token.refused')).length;
    let last = 0;
    for (let attempt = 0; attempt < 40; attempt += 1) {
      last = (await request(h.app).get('/admin/api/members').set(bearer(`cgt_${'x'.repeat(43)}`))).status;
    }
    expect(last).toBe(429);
    const written = (await auditRows('token.refused')).length - before;
    // Refusals earlier in this file spent some of the window's points: at most the window's worth plus one marker row.
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThanOrEqual(21);
  });
});
