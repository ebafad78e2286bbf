import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, parseConfig } from '../../src/config/load.js';

function problemsOf(raw: unknown, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(raw, 'test', env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration', () => {
  it('loads the shipped file on a fresh machine (no environment variables set)', () => {
    const config = loadConfig({ CLAIMGATE_CONFIG: 'config/claimgate.yaml' });
    expect(config.database.url).toBeUndefined();
    expect(config.redis.url).toBeUndefined();
    expect(config.claim.linkTtl).toBe(30 * 24 * 3600 * 1000);
    expect(config.firstAccess.profile.picture).toBe('optional');
    expect(config.firstAccess.terms.enabled && config.firstAccess.profile.enabled && config.firstAccess.groups.enabled).toBe(true);
  });

  it('reads ${ENV} references, and an unset one as empty', () => {
    const config = parseConfig({ baseUrl: 'http://x.test', redis: { url: '${REDIS}' }, mail: { from: '${FROM}' } }, 'test', { REDIS: 'redis://127.0.0.1:6379', FROM: 'a@b.test' });
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
    expect(problemsOf({ baseUrl: 'http://x.test', database: { url: '${NOT_SET}' } })).toEqual([]);
  });

  it('names every error by its key path at once', () => {
    const problems = problemsOf({
      baseUrl: 'not a url',
      claim: { linkTtl: 'forever' },
      firstAccess: { password: { minLength: 3 } },
      session: { idelTimeout: '8h' },
    });
    const paths = problems.map((p) => p.split(':')[0]);
    expect(paths).toEqual(expect.arrayContaining([
      'baseUrl', 'claim.linkTtl', 'firstAccess.password.minLength', 'session.idelTimeout',
    ]));
    expect(problems).toContain('session.idelTimeout: unknown key');
  });

  // Attack surface: a recovery link that lives for weeks, or a mistyped limit silently meaning "no limit".
  it('validates the recovery settings by key path, with the shipped defaults', () => {
    const config = loadConfig({ CLAIMGATE_CONFIG: 'config/claimgate.yaml' });
    expect(config.recovery).toMatchObject({ enabled: true, linkTtl: 3600 * 1000, codeTtl: 7 * 24 * 3600 * 1000, answerTime: 400 });
    const problems = problemsOf({ baseUrl: 'http://x.test', recovery: { linkTtl: '30d', codeTtl: 'soon', limits: { perAccount: 0, perIpp: 3 } } });
    expect(problems.map((p) => p.split(':')[0])).toEqual(expect.arrayContaining([
      'recovery.linkTtl', 'recovery.codeTtl', 'recovery.limits.perAccount', 'recovery.limits.perIpp',
    ]));
  });

  // Cross-field rules run once every field is valid on its own.
  it('reports cross-field errors by key path', () => {
    const problems = problemsOf({ baseUrl: 'http://x.test', firstAccess: { groups: { min: 4, max: 2 }, profile: { fields: ['name'], required: ['phone'] } } });
    expect(problems).toEqual(expect.arrayContaining([
      'firstAccess.groups.min: must not be greater than groups.max',
      'firstAccess.profile.required.0: "phone" is not in profile.fields',
    ]));
  });

  // Attack surface: replicas with different secrets, or one silently generated per replica.
  it('requires an explicit secret with PostgreSQL, never a silent fallback', () => {
    expect(problemsOf({ baseUrl: 'http://x.test', database: { url: 'postgres://db/claimgate' } })).toEqual([
      expect.stringMatching(/^secret: required when database.url is set/),
    ]);
  });

  it('takes the IPv6 prefix per-address limits count by between 32 and 128 bits', () => {
    expect(problemsOf({ baseUrl: 'http://x.test', rateLimits: { ipv6Prefix: 48 } })).toEqual([]);
    expect(problemsOf({ baseUrl: 'http://x.test', rateLimits: { ipv6Prefix: 129 } })).toEqual([expect.stringMatching(/^rateLimits\.ipv6Prefix:/)]);
    expect(problemsOf({ baseUrl: 'http://x.test', rateLimits: { ipv6Prefix: 16 } })).toEqual([expect.stringMatching(/^rateLimits\.ipv6Prefix:/)]);
  });

  it('takes the secret from CLAIMGATE_SECRET when the file has no secret key, as in the SPEC example', () => {
    const config = parseConfig({ baseUrl: 'http://x.test', database: { url: '${DATABASE_URL}' } }, 'test', { DATABASE_URL: 'postgres://db/claimgate', CLAIMGATE_SECRET: 'x'.repeat(40) });
    expect(config.secret).toBe('x'.repeat(40));
  });

  it('requires trustProxy with an https baseUrl (the TLS proxy must be trusted for Secure cookies)', () => {
    expect(problemsOf({ baseUrl: 'https://x.test' })).toEqual([expect.stringMatching(/^trustProxy: must be set when baseUrl is https/)]);
    expect(problemsOf({ baseUrl: 'https://x.test', trustProxy: 'loopback, 10.0.0.0/8' })).toEqual([]);
    expect(problemsOf({ baseUrl: 'http://x.test', trustProxy: 'lopback' })).toEqual([expect.stringMatching(/^trustProxy:/)]);
  });

  it('refuses a terms file it cannot read', () => {
    expect(problemsOf({ baseUrl: 'http://x.test', firstAccess: { terms: { enabled: true, file: '/nonexistent/terms.md' } } })).toEqual([
      'firstAccess.terms.file: cannot read file "/nonexistent/terms.md"',
    ]);
  });

  describe('claimgate config check', () => {
    const dir = mkdtempSync(join(tmpdir(), 'claimgate-config-'));

    it('exits 1 and lists every error by key path', () => {
      const file = join(dir, 'bad.yaml');
      writeFileSync(file, 'baseUrl: nope\nsession: { idleTimeout: 9 fortnights }\nclaim: { linkTtl: soon }\nmystery: 1\n');
      const run = spawnSync('node', ['bin/claimgate.js', 'config', 'check'], { env: { ...process.env, CLAIMGATE_CONFIG: file }, encoding: 'utf8' });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('baseUrl:');
      expect(run.stderr).toContain('claim.linkTtl:');
      expect(run.stderr).toContain('session.idleTimeout:');
      expect(run.stderr).toContain('mystery: unknown key');
    });

    it('exits 1 on YAML that does not parse', () => {
      const file = join(dir, 'broken.yaml');
      writeFileSync(file, 'baseUrl: [unclosed\n');
      const run = spawnSync('node', ['bin/claimgate.js', 'config', 'check'], { env: { ...process.env, CLAIMGATE_CONFIG: file }, encoding: 'utf8' });
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/YAML/);
    });

    it('accepts the shipped file', () => {
      const out = execFileSync('node', ['bin/claimgate.js', 'config', 'check', '--json'], { env: { ...process.env, CLAIMGATE_CONFIG: 'config/claimgate.yaml', DATABASE_URL: '', REDIS_URL: '' }, encoding: 'utf8' });
      expect(JSON.parse(out)).toMatchObject({ ok: true, database: 'embedded', sessions: 'embedded' });
    });
  });
});
