import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import { columnsFromHeader } from '../../src/import/columns.js';
import { createLogger } from '../../src/logging/logger.js';
import { portMismatch, recordedBaseUrl, writeServerRecord } from '../../src/server/server-record.js';

function problemsOf(raw: unknown, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(raw, 'test', env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('baseUrl for an operator changing the port', () => {
  // Links mailed with the wrong port lead members nowhere (or to whatever else listens there).
  it('follows PORT in the embedded mode when the file sets none, and CLAIMGATE_BASE_URL wins over the file', () => {
    expect(parseConfig({}, 'test', { PORT: '4010' }).baseUrl).toBe('http://localhost:4010');
    expect(parseConfig({}, 'test', {}).baseUrl).toBe('http://localhost:3000');
    expect(parseConfig({ baseUrl: 'http://localhost:3000', trustProxy: 'loopback' }, 'test', { CLAIMGATE_BASE_URL: 'https://id.example.com/', PORT: '4010' }).baseUrl).toBe('https://id.example.com');
  });

  it('must be written down with PostgreSQL, where replicas sit behind a proxy', () => {
    expect(problemsOf({ database: { url: 'postgres://db/x' }, secret: 'x'.repeat(40) })).toEqual(['baseUrl: required (or set CLAIMGATE_BASE_URL)']);
  });

  it('the CLI uses the base URL the server recorded, so printed links carry the port the server listens on', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'claimgate-record-'));
    writeServerRecord(dataDir, { baseUrl: 'http://localhost:4020', port: 4020, configFile: 'config/claimgate.yaml' });
    expect(recordedBaseUrl(dataDir)).toBe('http://localhost:4020');
    expect(parseConfig({ dataDir }, 'test', {}, { recordedBaseUrl }).baseUrl).toBe('http://localhost:4020');
    // An explicit setting still wins over the record.
    expect(parseConfig({ dataDir, baseUrl: 'http://localhost:5000' }, 'test', {}, { recordedBaseUrl }).baseUrl).toBe('http://localhost:5000');
    expect(parseConfig({ dataDir }, 'test', { PORT: '4030' }, { recordedBaseUrl }).baseUrl).toBe('http://localhost:4030');
  });

  it('warns when a localhost baseUrl names another port than the one listened on, not behind a proxy', () => {
    expect(portMismatch('http://localhost:3000', 4000)).toMatch(/names port 3000 but claimgate listens on port 4000/);
    expect(portMismatch('http://127.0.0.1:4000', 4000)).toBeUndefined();
    expect(portMismatch('https://id.example.com', 3000)).toBeUndefined();
  });
});

describe('config check: every problem in one run', () => {
  it('lists five problems of five kinds at once (unknown key, bad value, cross-field rule, unreadable file, non-http upstream)', () => {
    const problems = problemsOf({
      baseUrl: 'http://x.test',
      mystery: 1,
      claim: { linkTtl: 'forever' },
      firstAccess: { groups: { min: 4, max: 2 }, terms: { enabled: true, file: '/nonexistent/terms.md' } },
      upstream: { url: 'ftp://files.example' },
    });
    expect(problems).toEqual(expect.arrayContaining([
      'mystery: unknown key',
      expect.stringMatching(/^claim\.linkTtl: "forever" is not a duration/),
      'firstAccess.groups.min: must not be greater than groups.max',
      'firstAccess.terms.file: cannot read file "/nonexistent/terms.md"',
      'upstream.url: must be an http:// or https:// URL',
    ]));
    expect(problems).toHaveLength(5);
  });

  // A smuggled scheme (file:, javascript:, gopher:) as the upstream would turn the gateway into something else.
  it('refuses an upstream that is not http(s)', () => {
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'redis://127.0.0.1:6379']) {
      expect(problemsOf({ baseUrl: 'http://x.test', upstream: { url } })).toEqual(['upstream.url: must be an http:// or https:// URL']);
    }
    expect(problemsOf({ baseUrl: 'http://x.test', upstream: { url: 'https://app.internal:8443' } })).toEqual([]);
  });

  it('does not repeat a rule about a field already reported', () => {
    expect(problemsOf({ baseUrl: 'http://x.test', firstAccess: { terms: { enabled: true, file: 42 } } })).toEqual([expect.stringMatching(/^firstAccess\.terms\.file:/)]);
  });
});

describe('CSV header problems', () => {
  it('names every unknown and missing column in one refusal', () => {
    let message = '';
    try {
      columnsFromHeader(['Emial', 'First name', 'Salary']);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('unknown columns "Emial", "Salary"');
    expect(message).toContain('lacks the columns "Email" or "Employee ID", "Last name"');
  });

  it('accepts any subset of the columns that identifies and names the member', () => {
    expect(columnsFromHeader(['Employee ID', 'Last name', 'First name'])).toEqual(['employeeId', 'lastName', 'firstName']);
    expect(columnsFromHeader(['first NAME', 'Email', 'Last name', 'Locale'])).toEqual(['firstName', 'email', 'lastName', 'locale']);
  });
});

describe('logger redaction', () => {
  // Secrets stay hidden; the error code every error line carries stays readable for the operator.
  it('hides passwords, tokens and request bodies but not the error code', () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done(); } });
    const logger = createLogger('info', sink);
    logger.error({ err: Object.assign(new Error('boom'), { code: 'ECONNREFUSED' }), code: 'validation_failed', password: 'hunter2', req: { body: { code: 'ABCD-EFGH' } } }, 'failed');
    const line = JSON.parse(lines[0]!) as { code: string; err: { code: string }; password: string; req: { body: unknown } };
    expect(line.code).toBe('validation_failed');
    expect(line.err.code).toBe('ECONNREFUSED');
    expect(line.password).toBe('[redacted]');
    expect(line.req.body).toBe('[redacted]');
    expect(lines[0]).not.toContain('ABCD-EFGH');
  });
});

describe('npm start builds only when something changed', () => {
  it('skips the build when dist is newer than every source, and builds after a source changes', () => {
    const root = mkdtempSync(join(tmpdir(), 'claimgate-stale-'));
    mkdirSync(join(root, 'bin'));
    cpSync('bin/build-if-stale.mjs', join(root, 'bin/build-if-stale.mjs'));
    mkdirSync(join(root, 'src'));
    writeFileSync(join(root, 'src/a.ts'), 'export {};\n');
    mkdirSync(join(root, 'dist/src/server'), { recursive: true });
    writeFileSync(join(root, 'dist/src/server/main.js'), '');
    // A stand-in compiler that leaves a mark, so the test sees whether a build ran.
    mkdirSync(join(root, 'node_modules/typescript/bin'), { recursive: true });
    writeFileSync(join(root, 'node_modules/typescript/bin/tsc'), `require('fs').appendFileSync(${JSON.stringify(join(root, 'built'))}, 'x');\n`);
    writeFileSync(join(root, 'node_modules/typescript/package.json'), '{}');
    chmodSync(join(root, 'node_modules/typescript/bin/tsc'), 0o755);
    const run = () => spawnSync(process.execPath, [join(root, 'bin/build-if-stale.mjs')], { encoding: 'utf8' });

    expect(run().status).toBe(0);
    expect(readFileSync(join(root, 'built'), 'utf8')).toBe('x');
    expect(run().status).toBe(0);
    expect(readFileSync(join(root, 'built'), 'utf8')).toBe('x');
    const later = Date.now() / 1000 + 5;
    utimesSync(join(root, 'src/a.ts'), later, later);
    expect(run().status).toBe(0);
    expect(readFileSync(join(root, 'built'), 'utf8')).toBe('xx');
    rmSync(root, { recursive: true, force: true });
    expect(existsSync(root)).toBe(false);
  });
});
