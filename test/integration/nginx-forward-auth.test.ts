import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDENTITY_HEADER } from '../../src/gateway/identity-headers.js';
import { assignGroups } from '../../src/groups/assigned.js';
import { csrfFrom, newAgent } from '../support/browser-agent.js';
import { claimAll, invite } from '../support/claim-walk.js';
import { freePort, serve } from '../support/chromium.js';
import { startHarness, type Harness } from '../support/harness.js';
import { startUpstream } from '../support/upstream.js';
import { allowForProcesses } from '../support/timeouts.js';

allowForProcesses();

const NGINX = '/usr/sbin/nginx';
const available = existsSync(NGINX);
if (!available && process.env.CI) throw new Error('nginx is required in CI (apt-get install nginx-light)');
const describeWithNginx = available ? describe : describe.skip;

/** The nginx example of the README, with its addresses filled in. */
function readmeSnippet(claimgate: string, app: string): string {
  const readme = readFileSync('README.md', 'utf8');
  const snippet = /```nginx\n([\s\S]*?)```/.exec(readme)![1]!;
  return snippet.replaceAll('http://127.0.0.1:3000', claimgate).replaceAll('http://127.0.0.1:8080', app);
}

describeWithNginx('the README\'s nginx snippet against /auth/verify', () => {
  let h: Harness;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let gateway: Awaited<ReturnType<typeof serve>>;
  let nginx: ChildProcess;
  let origin: string;

  /** A member who claimed their account, then signed in through nginx as a browser would, with their session cookie. */
  async function claimAndSignInThroughNginx(email: string, groups = ['Engineering']) {
    const invited = await invite(h.runtime, email);
    await claimAll(newAgent(h.app), invited.claimUrl);
    await h.runtime.db.transaction((manager) => assignGroups(h.runtime, manager, invited.id, groups, 'admin', null));
    const loginPage = await fetch(`${origin}/login`);
    const pre = loginPage.headers.get('set-cookie')!.split(';')[0]!;
    const signedIn = await fetch(`${origin}/login`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: pre },
      body: new URLSearchParams({ _csrf: csrfFrom(await loginPage.text()), identifier: invited.email, password: 'correct horse battery staple' }),
    });
    expect(signedIn.status).toBe(303);
    return { invited, cookie: signedIn.headers.get('set-cookie')!.split(';')[0]! };
  }

  beforeAll(async () => {
    upstream = await startUpstream();
    // Groups per app from the config file alone: a public status path, two apps with different groups, the rest closed.
    h = await startHarness({
      gateway: {
        routes: [
          { name: 'status', path: '/status', public: true },
          { name: 'reports', path: '/reports', allow: { groups: ['Engineering'] } },
          { name: 'finance', path: '/finance', allow: { groups: ['Finance'] } },
        ],
        defaultRoute: 'deny',
      },
    });
    gateway = await serve(h.app);
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    const dir = mkdtempSync(join(tmpdir(), 'claimgate-nginx-'));
    mkdirSync(join(dir, 'logs'));
    writeFileSync(join(dir, 'nginx.conf'), `
      worker_processes 1;
      pid ${dir}/nginx.pid;
      error_log ${dir}/logs/error.log warn;
      events { worker_connections 64; }
      http {
        access_log off;
        client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
        uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
        server {
          listen 127.0.0.1:${port};
          ${readmeSnippet(gateway.origin, upstream.url)}
        }
      }`);
    nginx = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off; user root;'], { stdio: 'inherit' });
    // However long nginx takes to listen on a busy machine (the hook's timeout bounds it); if it exits, say so.
    for (;;) {
      if (nginx.exitCode !== null) throw new Error(`nginx exited with ${nginx.exitCode}: see ${dir}/logs/error.log`);
      try {
        await fetch(`${origin}/login`);
        break;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  });

  afterAll(async () => {
    nginx?.kill('SIGQUIT');
    await gateway?.close();
    await h?.close();
    await upstream?.close();
  });

  it('sends anonymous visitors to sign in and lets a member of the allowed group through with identity headers', async () => {
    const anonymous = await fetch(`${origin}/reports?x=1`, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toMatch(/\/login\?returnTo=\/reports\?x=1$/);

    const { invited, cookie } = await claimAndSignInThroughNginx('nginx@example.com');

    const page = await fetch(`${origin}/reports?x=1`, { headers: { cookie, 'X-Claimgate-User': 'spoofed' } });
    expect(page.status).toBe(200);
    const seen = await page.json();
    expect(seen.headers['x-claimgate-user']).toBe(invited.id);
    expect(seen.headers['x-claimgate-groups']).toBe('Engineering');
    expect(seen.headers['x-claimgate-chosen-groups']).toBe('Announcements,Engineering');
    expect(seen.headers['x-claimgate-identity']).toMatch(/^ey/);
  });

  // Attack: identity header spoofing through the web server: a signed-in member sends every header claimgate can set
  // (and their underscore spellings), hoping nginx passes the ones the snippet does not overwrite.
  it('identity header spoofing: every X-Claimgate-* header the client sends is overwritten or cleared by the snippet', async () => {
    const { invited, cookie } = await claimAndSignInThroughNginx('spoofer@example.com');
    const names = Object.values(IDENTITY_HEADER);
    const spoofed = Object.fromEntries([...names, ...names.map((name) => name.replace(/-/g, '_'))].map((name) => [name, 'spoofed']));
    const page = await fetch(`${origin}/reports`, { headers: { ...spoofed, cookie } });
    expect(page.status).toBe(200);
    const seen = (await page.json()) as { headers: Record<string, string> };
    expect(Object.entries(seen.headers).filter(([, value]) => value.includes('spoofed'))).toEqual([]);
    expect(seen.headers[IDENTITY_HEADER.user]).toBe(invited.id);
    expect(seen.headers[IDENTITY_HEADER.email]).toBe(invited.email);
    // Not in claimgate's answer for this member (no username): cleared, not passed through.
    expect(seen.headers[IDENTITY_HEADER.username]).toBeUndefined();
  });

  // Attack: self-granted access: the outsider chose the pool group "Engineering" at first access, which is not an assignment.
  it('refuses a member outside allowed_groups with 403', async () => {
    const outsider = await invite(h.runtime, 'outsider@example.com');
    const agent = newAgent(h.app);
    await claimAll(agent, outsider.claimUrl);
    const loginPage = await fetch(`${origin}/login`);
    const pre = loginPage.headers.get('set-cookie')!.split(';')[0]!;
    const signedIn = await fetch(`${origin}/login`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: pre },
      body: new URLSearchParams({ _csrf: csrfFrom(await loginPage.text()), identifier: outsider.email, password: 'correct horse battery staple' }),
    });
    const cookie = signedIn.headers.get('set-cookie')!.split(';')[0]!;
    expect((await fetch(`${origin}/reports`, { headers: { cookie } })).status).toBe(403);
  });

  // Attack: reaching one app with the groups of another, or by a spelling nginx and claimgate might read differently.
  it('decides two routes of different policies, in any spelling, and serves the public path without a cookie', async () => {
    const engineer = await claimAndSignInThroughNginx('two-routes-eng@example.com');
    const financier = await claimAndSignInThroughNginx('two-routes-fin@example.com', ['Finance']);
    const status = (path: string, cookie?: string) => fetch(`${origin}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} }).then((res) => res.status);
    expect(await status('/reports/q3', engineer.cookie)).toBe(200);
    expect(await status('/finance/q3', financier.cookie)).toBe(200);
    for (const path of ['/finance/q3', '/FINANCE/q3', '//finance', '/%66inance', '/finance;x=1', '/reports/..%2Ffinance', '/status/..;/finance']) {
      expect([path, await status(path, engineer.cookie)]).toEqual([path, 403]);
    }
    expect(await status('/reports/q3', financier.cookie)).toBe(403);
    expect(await status('/elsewhere', engineer.cookie)).toBe(403);
    const open = await fetch(`${origin}/status/live`);
    expect(open.status).toBe(200);
    expect((await open.json()).headers['x-claimgate-user']).toBeUndefined();
    expect(await status('/status/..;/finance')).toBe(303);
    expect(await status('/finance')).toBe(303);
  });
});
