import { ConfigError, parseConfig } from '../../src/config/load.js';
import { restartDelay } from '../../src/server/primary.js';
import { workerCount } from '../../src/server/worker-count.js';

const SECRET = 'a-secret-that-is-long-enough-0123456789';
const POSTGRES = { url: 'postgres://claimgate@db.test/claimgate' };

function problemsOf(raw: Record<string, unknown>): string[] {
  try {
    parseConfig({ baseUrl: 'http://x.test', secret: SECRET, ...raw }, 'test', {});
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('server.workers', () => {
  it('defaults to one per core with PostgreSQL and to one process in the embedded mode', () => {
    expect(workerCount(parseConfig({ baseUrl: 'http://x.test', secret: SECRET, database: POSTGRES }, 'test', {}), 4)).toBe(4);
    expect(workerCount(parseConfig({ baseUrl: 'http://x.test', secret: SECRET, database: POSTGRES, server: { workers: 3 } }, 'test', {}), 8)).toBe(3);
    expect(workerCount(parseConfig({ baseUrl: 'http://x.test', secret: SECRET }, 'test', {}), 4)).toBe(1);
  });

  // Several processes writing one SQLite file lock each other out and lose writes: refused at start, not discovered under load.
  it('refuses more than one worker, or auto, on SQLite', () => {
    expect(problemsOf({ server: { workers: 2 } })).toEqual(['server.workers: must be 1 in the embedded mode (SQLite allows one writer): set database.url to run more workers']);
    expect(problemsOf({ server: { workers: 'auto' } })).toHaveLength(1);
    expect(problemsOf({ server: { workers: 1 } })).toEqual([]);
    expect(problemsOf({ server: { workers: 0 } })[0]).toMatch(/^server\.workers: /);
  });

  // A worker that crashes at once (a poisoned request, a bad deployment) must not become a fork loop that starves the machine.
  it('restarts a worker that keeps dying ever later, up to 15 s', () => {
    expect(restartDelay(0)).toBe(0);
    expect([1, 2, 3, 4].map(restartDelay)).toEqual([500, 1000, 2000, 4000]);
    expect(restartDelay(10)).toBe(15_000);
    expect(restartDelay(100)).toBe(15_000);
  });
});
