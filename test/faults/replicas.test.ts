import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { claimgateCli } from '../support/cli-process.js';
import { createTestDatabase, POSTGRES_ADMIN_URL, REDIS_URL, type TestDatabase } from '../support/databases.js';
import { claimAcross, HttpBrowser } from '../support/http-browser.js';
import { startServerProcess, writeServerConfig, type ServerProcess } from '../support/server-process.js';
import { allowForProcesses, REPLICA_TEST_TIMEOUT } from '../support/timeouts.js';

allowForProcesses(REPLICA_TEST_TIMEOUT);

const PASSWORD = 'correct horse battery staple';
const LOAD_MEMBERS = 200;
const shared = POSTGRES_ADMIN_URL ? describe : describe.skip;

// With REDIS_URL the replicas share Redis for sessions and limits; without it, PostgreSQL holds them too.
shared(`two replicas on one PostgreSQL${REDIS_URL ? ' and one Redis' : ' without Redis'}${POSTGRES_ADMIN_URL ? '' : ' (skipped: needs DATABASE_URL)'}`, () => {
  let dir: string;
  let database: TestDatabase;
  let configFile: string;
  let replicas: ServerProcess[] = [];
  let urls: string[];

  async function query<T>(sql: string): Promise<T[]> {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query(sql)).rows as T[];
    } finally {
      await client.end();
    }
  }

  async function invite(email: string): Promise<string> {
    const invited = JSON.parse(await claimgateCli(configFile, 'invite', '--email', email, '--name', 'Replica Member', '--json')) as { claimUrl: string };
    return new URL(invited.claimUrl).pathname;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'claimgate-replicas-'));
    database = await createTestDatabase();
    configFile = writeServerConfig(dir, database.url, REDIS_URL);
    // Both start at once on an empty database: one migrates, the other waits for it.
    replicas = await Promise.all([startServerProcess(configFile), startServerProcess(configFile)]);
    urls = replicas.map((replica) => replica.url);
  });
  afterAll(async () => {
    for (const replica of replicas) await replica.stop();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a claim started on one replica finishes on the other', async () => {
    const path = await invite('across@example.com');
    const browser = new HttpBrowser();
    const done = await claimAcross(browser, urls, path, PASSWORD);
    expect(done.location).toBe('/');
    const [member] = await query<{ status: string }>("SELECT status FROM members WHERE email_normalized = 'across@example.com'");
    expect(member!.status).toBe('claimed');
    const home = await browser.request(urls[1]!, '/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('across@example.com');
  });

  it('sign-out on one replica ends the session on both', async () => {
    const path = await invite('signout@example.com');
    await claimAcross(new HttpBrowser(), urls, path, PASSWORD);
    const browser = new HttpBrowser();
    const signedIn = await browser.submit(urls[0]!, '/login', { identifier: 'signout@example.com', password: PASSWORD });
    expect(signedIn.status).toBe(303);
    expect((await browser.request(urls[1]!, '/')).status).toBe(200);
    expect((await browser.request(urls[1]!, '/auth/verify')).status).toBe(202);
    expect((await browser.request(urls[0]!, '/auth/verify')).status).toBe(202);
    const signOut = await browser.submit(urls[1]!, '/logout', {}, '/');
    expect(signOut.status).toBe(303);
    expect((await browser.request(urls[0]!, '/')).status).toBe(303);
    expect((await browser.request(urls[0]!, '/auth/verify')).status).toBe(401);
  });

  it(`${LOAD_MEMBERS} members claiming at once across both replicas: every claim lands exactly once`, async () => {
    const csv = ['Email,First name,Last name'];
    for (let i = 0; i < LOAD_MEMBERS; i++) csv.push(`load${i}@example.com,Load,Member ${i}`);
    writeFileSync(join(dir, 'load.csv'), `${csv.join('\n')}\n`);
    await claimgateCli(configFile, 'import', join(dir, 'load.csv'), '--invite', 'now');
    await claimgateCli(configFile, 'export', '--status', 'invited', '--out', join(dir, 'links.csv'));
    const [header, ...rows] = readFileSync(join(dir, 'links.csv'), 'utf8').trim().split('\r\n');
    const column = header!.split(',').indexOf('claim_link');
    const paths = rows.map((row) => new URL(row.split(',')[column]!).pathname).filter((_, i) => rows[i]!.includes('load'));
    expect(paths).toHaveLength(LOAD_MEMBERS);

    // Half the members start on each replica; every step then alternates.
    const outcomes = await Promise.allSettled(paths.map((path, i) => claimAcross(new HttpBrowser(), i % 2 ? urls : [...urls].reverse(), path, PASSWORD)));
    const failures = outcomes.filter((outcome) => outcome.status === 'rejected').map((outcome) => {
      const reason = (outcome as PromiseRejectedResult).reason as Error & { cause?: { code?: string } };
      return `${String(reason)}${reason.cause?.code ? ` (${reason.cause.code})` : ''}`;
    });
    // On failure, say whether a replica died and what it wrote last.
    const health = replicas.map((replica) => ({ exitCode: replica.child.exitCode, signal: replica.child.signalCode, last: replica.output.filter((line) => !line.startsWith('{')).slice(0, 8) }));
    expect({ failures: failures.slice(0, 5), failed: failures.length, health: failures.length ? health : [] }).toEqual({ failures: [], failed: 0, health: [] });

    const [counts] = await query<{ claimed: string; flows: string; completed: string; memberships: string; distinct_members: string }>(`
      SELECT (SELECT count(*) FROM members WHERE email_normalized LIKE 'load%' AND status = 'claimed') AS claimed,
             (SELECT count(*) FROM claim_flows f JOIN members m ON m.id = f.member_id WHERE m.email_normalized LIKE 'load%') AS flows,
             (SELECT count(*) FROM audit_events a JOIN members m ON m.id = a.member_id WHERE a.event = 'claim.completed' AND m.email_normalized LIKE 'load%') AS completed,
             (SELECT count(*) FROM memberships s JOIN members m ON m.id = s.member_id WHERE m.email_normalized LIKE 'load%') AS memberships,
             (SELECT count(DISTINCT a.member_id) FROM audit_events a JOIN members m ON m.id = a.member_id WHERE a.event = 'claim.completed' AND m.email_normalized LIKE 'load%') AS distinct_members`);
    expect(Number(counts!.claimed)).toBe(LOAD_MEMBERS);
    expect(Number(counts!.flows)).toBe(LOAD_MEMBERS);
    expect(Number(counts!.completed)).toBe(LOAD_MEMBERS);
    expect(Number(counts!.distinct_members)).toBe(LOAD_MEMBERS);
    expect(Number(counts!.memberships)).toBe(LOAD_MEMBERS);
    const [unusedLinks] = await query<{ n: string }>("SELECT count(*) AS n FROM claim_links l JOIN members m ON m.id = l.member_id WHERE m.email_normalized LIKE 'load%' AND l.used_at IS NULL AND l.revoked_at IS NULL");
    expect(Number(unusedLinks!.n)).toBe(0);
  });
});
