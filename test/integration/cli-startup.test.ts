import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, REDIS_URL, type TestDatabase } from '../support/databases.js';
import { startServerProcess, writeServerConfig } from '../support/server-process.js';
import { allowForProcesses } from '../support/timeouts.js';

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, ['bin/claimgate.js', ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });

const timed = (args: string[]) => {
  const started = process.hrtime.bigint();
  const run = cli(args);
  return { run, ms: Number(process.hrtime.bigint() - started) / 1e6 };
};

allowForProcesses();

describe('the CLI for scripts', () => {
  // A script that passes a wrong value must see a refusal (2), not a crash (1), as the README promises.
  it('refuses a status that is not among the choices with exit code 2', () => {
    const run = cli(['export', '--status', 'bogus']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("argument 'bogus' is invalid");
    expect(cli(['invite', '--no-such-option']).status).toBe(2);
  });

  it('answers --help without loading the commands behind it', () => {
    // Warm the file cache, then compare with a command's help, which loads the database and SSO libraries.
    cli(['--help']);
    const help = timed(['--help']);
    const heavy = timed(['invite', '--help']);
    expect(help.run.status).toBe(0);
    expect(help.run.stdout).toContain('export');
    expect(heavy.run.stdout).toContain('--employee-id');
    expect(help.ms).toBeLessThan(heavy.ms);
  });

  it('config check names five problems of a file in one run', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'claimgate-check-')), 'five.yaml');
    writeFileSync(file, [
      'baseUrl: http://localhost:3000',
      'mystery: 1',
      'claim: { linkTtl: forever }',
      'firstAccess:',
      '  groups: { min: 4, max: 2 }',
      '  terms: { enabled: true, file: /nonexistent/terms.md }',
      'upstream: { url: "ftp://files.example" }',
      '',
    ].join('\n'));
    const run = cli(['config', 'check', '--json'], { CLAIMGATE_CONFIG: file });
    expect(run.status).toBe(1);
    const result = JSON.parse(run.stdout) as { errors: string[] };
    expect(result.errors.map((problem) => problem.split(':')[0])).toEqual(expect.arrayContaining([
      'mystery', 'claim.linkTtl', 'firstAccess.groups.min', 'firstAccess.terms.file', 'upstream.url',
    ]));
    expect(result.errors).toHaveLength(5);
  });

  it('the shipped file follows PORT, and CLAIMGATE_BASE_URL overrides it', () => {
    const env = { CLAIMGATE_CONFIG: 'config/claimgate.yaml', DATABASE_URL: '', REDIS_URL: '', CLAIMGATE_BASE_URL: '' };
    expect(JSON.parse(cli(['config', 'check', '--json'], { ...env, PORT: '4555' }).stdout)).toMatchObject({ ok: true, baseUrl: 'http://localhost:4555' });
    expect(JSON.parse(cli(['config', 'check', '--json'], { ...env, CLAIMGATE_BASE_URL: 'http://claim.example:8080' }).stdout)).toMatchObject({ baseUrl: 'http://claim.example:8080' });
  });
});

describe('the server and the CLI agree on the base URL', () => {
  let database: TestDatabase;
  const dir = mkdtempSync(join(tmpdir(), 'claimgate-baseurl-'));
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  // Mailed links that name another port than the server's lead members to nothing, or to whatever else listens there.
  it('warns at start when a localhost baseUrl names another port, and records the base URL for the CLI', async () => {
    const configFile = writeServerConfig(dir, database.url, REDIS_URL, { baseUrl: 'http://localhost:1' });
    const server = await startServerProcess(configFile);
    try {
      const port = Number(new URL(server.url).port);
      const warning = `names port 1 but claimgate listens on port ${port}`;
      // The warning and the record follow the "listening" line the start helper waits for.
      for (let tries = 0; tries < 300 && !(server.output.join('\n').includes(warning) && existsSync(join(dir, 'server.json'))); tries += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(server.output.join('\n')).toContain(warning);
      const record = JSON.parse(readFileSync(join(dir, 'server.json'), 'utf8')) as { baseUrl: string; port: number };
      expect(record).toMatchObject({ baseUrl: 'http://localhost:1', port });
    } finally {
      await server.stop();
    }
  });
});
