import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { allowForProcesses } from '../support/timeouts.js';

allowForProcesses();

const run = promisify(execFile);
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'claimgate-routes-check-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function check(gateway: Record<string, unknown>): Promise<{ code: number; out: string }> {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, stringify({ baseUrl: 'http://claimgate.test', secret: 'x'.repeat(40), dataDir: dir, upstream: { url: 'http://127.0.0.1:8080' }, gateway }));
  try {
    const { stdout, stderr } = await run('node', ['bin/claimgate.js', 'config', 'check'], { env: { ...process.env, CLAIMGATE_CONFIG: file } });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, out: failed.stdout + failed.stderr };
  }
}

describe('claimgate config check on gateway.routes', () => {
  // Attack: a protected route silently made unreachable by a broader route written before it (an admin's mistake
  // that would leave /payroll open to every member).
  it('refuses a shadowed route and a repeated one, naming them by key path', async () => {
    const result = await check({
      routes: [
        { name: 'everyone', path: '/' },
        { name: 'payroll', path: '/payroll', allow: { groups: ['Payroll'] } },
      ],
    });
    expect(result.code).toBe(1);
    expect(result.out).toContain('gateway.routes.1: is unreachable: gateway.routes[0] (everyone) comes first');
    const repeated = await check({ routes: [{ path: '/wiki' }, { path: '/Wiki/' }] });
    expect(repeated.code).toBe(1);
    expect(repeated.out).toContain('gateway.routes.1: matches the same requests as gateway.routes[0]');
  });

  it('accepts routes in a working order', async () => {
    const result = await check({
      upstreams: { wiki: 'http://127.0.0.1:8081' },
      routes: [{ path: '/health', public: true }, { path: '/payroll', allow: { groups: ['Payroll'] } }, { path: '/', upstream: 'wiki' }],
    });
    expect(result).toMatchObject({ code: 0 });
    expect(result.out).toContain('Configuration OK');
  });
});
