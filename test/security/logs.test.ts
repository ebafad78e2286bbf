import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { createAudit } from '../../src/audit/audit.js';
import { createLogger, redactText, serializeError } from '../../src/logging/logger.js';
import { inviteByEmployeeId } from '../../src/members/invite-employee.js';
import { claimPath, csrfFrom, newAgent } from '../support/browser-agent.js';
import { claimAll, claimWithCode, enterCode, GOOD_PASSWORD, invite } from '../support/claim-walk.js';
import { createTestDatabase, POSTGRES_ADMIN_URL } from '../support/databases.js';
import { startHarness, testConfigInput, type Harness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

function cookieValues(res: { headers: Record<string, unknown> }): string[] {
  return ((res.headers['set-cookie'] as string[] | undefined) ?? []).map((c) => decodeURIComponent(c.split(';')[0]!.split('=').slice(1).join('=')));
}

describe('logs', () => {
  // Attack: harvesting credentials from log storage or the audit table.
  it('secret harvesting: a link claim, a code claim and sign-ins leave no token, code, password, hash, session id or cookie in any log line or audit row', async () => {
    const secrets: string[] = [GOOD_PASSWORD];
    const invited = await invite(h.runtime);
    secrets.push(claimPath(invited.claimUrl).split('/').pop()!);
    const linkAgent = newAgent(h.app);
    secrets.push(...cookieValues(await linkAgent.get(claimPath(invited.claimUrl))));
    secrets.push(...cookieValues(await claimAll(linkAgent, invited.claimUrl)));

    const employee = await inviteByEmployeeId(h.runtime, { employeeId: `LOG${Date.now()}`, name: 'Log Person', actorId: 'test' });
    secrets.push(employee.accessCode, employee.accessCode.replace(/-/g, ''));
    await enterCode(newAgent(h.app), employee.employeeId, 'ABCD-EFGH-JKMN-PQRS');
    secrets.push(...cookieValues(await claimWithCode(newAgent(h.app), employee.employeeId, employee.accessCode, `logperson${Date.now() % 100000}`)));

    const login = newAgent(h.app);
    const page = await login.get('/login');
    const token = csrfFrom(page.text);
    secrets.push(token, ...cookieValues(page));
    const signedIn = await login.post('/login').type('form').send({ _csrf: token, identifier: invited.email, password: GOOD_PASSWORD }).expect(303);
    secrets.push(...cookieValues(signedIn));
    await newAgent(h.app).post('/login').set('Cookie', `claimgate.sid=${encodeURIComponent(cookieValues(signedIn)[0]!)}`).type('form')
      .send({ _csrf: 'forged', identifier: invited.email, password: 'another password tried here' });
    secrets.push('another password tried here');

    const { db } = h.runtime;
    const member = await db.source.manager.findOneByOrFail(db.entities.Member, { id: invited.id });
    secrets.push(member.passwordHash!);
    const sessionIds = secrets.filter((s) => s.startsWith('s:')).map((s) => s.slice(2).split('.')[0]!);
    secrets.push(...sessionIds);

    const logText = h.logs.join('');
    const auditText = JSON.stringify(await db.source.manager.find(db.entities.AuditEvent));
    expect(logText).toContain('claim.completed');
    expect(auditText).toContain('claim.completed');
    expect(sessionIds.length).toBeGreaterThanOrEqual(3);
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThanOrEqual(12);
      expect({ secret, inLog: logText.includes(secret), inAudit: auditText.includes(secret) }).toEqual({ secret, inLog: false, inAudit: false });
    }
  });

  // Attack: forging a log line with CR/LF in a username, a sign-in name, a path or a user agent.
  it('log forging: CR/LF and quotes in user-controlled text stay inside one JSON line', async () => {
    const forged = '\r\n{"level":"info","msg":"forged","audit":{"event":"login.succeeded"}}\r\n';
    const employee = await inviteByEmployeeId(h.runtime, { employeeId: `CRLF${Date.now()}`, name: 'Line Break', actorId: 'test' });
    const agent = newAgent(h.app);
    await enterCode(agent, employee.employeeId, employee.accessCode);
    const token = csrfFrom((await agent.get('/claim/flow/username')).text);
    await agent.post('/claim/flow/username').type('form').send({ _csrf: token, username: `evil${forged}` });
    await agent.post(`/claim/flow/${encodeURIComponent(`terms${forged}`)}`).type('form').send({ _csrf: token }).expect(409);
    const login = newAgent(h.app);
    const loginToken = csrfFrom((await login.get('/login')).text);
    await login.post('/login').set('User-Agent', 'agent" \\r\\n {"msg":"forged"} \t end').type('form').send({ _csrf: loginToken, identifier: `name${forged}`, password: 'some wrong password' });

    const text = h.logs.join('');
    const lines = text.split('\n').filter(Boolean);
    expect(text.endsWith('\n')).toBe(true);
    for (const line of lines) {
      expect(line).not.toMatch(/\r/);
      expect(() => JSON.parse(line)).not.toThrow();
      expect((JSON.parse(line) as { msg?: string }).msg).not.toBe('forged');
    }
    // The crafted text did reach the log, escaped: the test would see a forged line if escaping failed.
    expect(text).toContain('\\r\\n{\\"level\\":\\"info\\",\\"msg\\":\\"forged\\"');
    expect(text).toContain('agent\\" \\\\r\\\\n {\\"msg\\":\\"forged\\"}');
  });

  // Attack: an incident that cannot be traced because log lines are not tied to the request.
  it('secret harvesting through errors: a database error on a page is logged without its query or parameters', async () => {
    const member = await invite(h.runtime);
    const agent = newAgent(h.app);
    await claimAll(agent, member.claimUrl);
    const { manager } = h.runtime.db.source;
    const original = manager.findOneBy.bind(manager);
    // A driver error as TypeORM raises it: the statement and its bound values ride along on the error object.
    manager.findOneBy = (async () => {
      throw Object.assign(new Error('relation is not there'), { query: 'SELECT secret_column', parameters: ['SECRET-PARAMETER'] });
    }) as typeof manager.findOneBy;
    const before = h.logs.length;
    try {
      await agent.get('/').expect(500);
    } finally {
      manager.findOneBy = original;
    }
    const lines = h.logs.slice(before).join('');
    expect(lines).toContain('relation is not there');
    expect(lines).not.toContain('SECRET-PARAMETER');
    expect(lines).not.toContain('SELECT secret_column');
  });

  // Attack: harvesting a claim token from the error log, through a claim URL with a malformed percent escape after it.
  it('secret harvesting through a malformed escape: a bad escape in any route parameter is a 400 and no log line carries the token', async () => {
    const invited = await invite(h.runtime);
    const token = claimPath(invited.claimUrl).split('/').pop()!;
    const before = h.logs.length;
    for (const [method, path] of [
      ['get', `/claim/${token}%E0%A4%A`], ['get', `/claim/${token}%`], ['get', `/claim/${token}%zz`], ['post', `/claim/${token}%C3%28`],
      ['get', '/claim/flow/terms%ff'], ['get', '/admin/people/abc%E0'], ['get', '/admin/api/members/abc%E0'],
    ] as const) {
      const page = await newAgent(h.app)[method](path);
      expect({ path, status: page.status }).toEqual({ path, status: 400 });
      expect(page.text).toContain('bad_request');
      expect(page.text).not.toContain(token);
      const json = await newAgent(h.app)[method](path).set('Accept', 'application/json').expect(400);
      expect(json.body.error.code).toBe('bad_request');
    }
    const lines = h.logs.slice(before).join('');
    expect(lines).toContain('malformed percent escape');
    expect(lines).not.toContain(token);
    expect(lines).not.toContain('"level":"error"');
  });

  // Attack: the same token reaching the log through an error's own text (a message or stack that quotes a claim URL).
  it('secret harvesting through error text: the error serializer cuts claim tokens out of messages and stacks', () => {
    const token = 'Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0';
    const error = new URIError(`Failed to decode param '${token}%E0' in /claim/${token}%E0?token=${token}`);
    const text = JSON.stringify(serializeError(error));
    expect(text).toContain('Failed to decode param');
    expect(text).not.toContain(token);
    expect(redactText('at handler (file:///srv/claimgate/dist/src/claim/routes.js:135:20)')).toContain('src/claim/routes.js:135');
  });

  it('untraceable requests: every request log line and audit row carries the request id', async () => {
    const before = h.logs.length;
    await newAgent(h.app).get('/login').set('X-Request-Id', 'trace-me-123').expect(200);
    await newAgent(h.app).get('/claim/bogus').set('X-Request-Id', 'trace-me-456').expect(404);
    const lines = h.logs.slice(before).join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as { req?: { id?: string }; audit?: { requestId?: string } });
    expect(lines.some((line) => line.req?.id === 'trace-me-123')).toBe(true);
    expect(lines.some((line) => line.audit?.requestId === 'trace-me-456')).toBe(true);
    const requestLines = lines.filter((line) => line.req);
    expect(requestLines.every((line) => typeof line.req!.id === 'string' && line.req!.id.length > 0)).toBe(true);
  });
});

describe('audit table', () => {
  async function appendOnlyOn(db: Database) {
    const audit = createAudit(db, createLogger('silent'), () => new Date());
    await audit({ event: 'login.failed', outcome: 'failure', details: { reason: 'test' } });
    const count = async () => Number((await db.source.query('SELECT count(*) AS n FROM audit_events'))[0].n);
    const before = await count();
    const statements = ["UPDATE audit_events SET outcome = 'success'", "DELETE FROM audit_events WHERE event = 'login.failed'", 'DELETE FROM audit_events'];
    if (db.engine === 'postgres') statements.push('TRUNCATE audit_events');
    for (const sql of statements) await expect(db.source.query(sql)).rejects.toThrow(/append-only/);
    await expect(db.source.manager.update(db.entities.AuditEvent, { event: 'login.failed' }, { outcome: 'success' })).rejects.toThrow(/append-only/);
    await expect(db.source.manager.delete(db.entities.AuditEvent, { event: 'login.failed' })).rejects.toThrow(/append-only/);
    expect(await count()).toBe(before);
    const rows = await db.source.query("SELECT outcome FROM audit_events WHERE event = 'login.failed'");
    expect(rows.every((row: { outcome: string }) => row.outcome === 'failure')).toBe(true);
    // Appending still works.
    await audit({ event: 'login.failed', outcome: 'failure', details: { reason: 'after' } });
    expect(await count()).toBe(before + 1);
  }

  // Attack: covering tracks by rewriting or deleting audit rows through the application's own connection.
  it('track covering on SQLite: UPDATE and DELETE on audit_events are refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'claimgate-audit-'));
    const db = await openDatabase(parseConfig(testConfigInput(dir, undefined, { redis: { url: '' } }), 'test'));
    try {
      expect(db.engine).toBe('better-sqlite3');
      await appendOnlyOn(db);
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  (POSTGRES_ADMIN_URL ? it : it.skip)(`track covering on PostgreSQL: UPDATE, DELETE and TRUNCATE on audit_events are refused${POSTGRES_ADMIN_URL ? '' : ' (skipped: DATABASE_URL is not set)'}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'claimgate-audit-'));
    const database = await createTestDatabase();
    const db = await openDatabase(parseConfig(testConfigInput(dir, database.url, { redis: { url: '' } }), 'test'));
    try {
      expect(db.engine).toBe('postgres');
      await appendOnlyOn(db);
    } finally {
      await db.close();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
