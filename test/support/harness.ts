import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import type { RequestListener } from 'node:http';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { createApp, type AppHandle } from '../../src/http/app.js';
import { serverWorkers } from '../../src/jobs/workers.js';
import { createLogger } from '../../src/logging/logger.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { createTestDatabase, REDIS_URL, type TestDatabase } from './databases.js';

export const TEST_SECRET = 'test-secret-that-is-long-enough-for-claimgate-0123456789';
export const TERMS_FILE = resolve('test/fixtures/terms.md');

/** A configuration with every first-access step on, like the shipped one, in a throwaway data folder. */
export function testConfigInput(dataDir: string, databaseUrl: string | undefined, overrides: Record<string, unknown> = {}) {
  const base: Record<string, unknown> = {
    baseUrl: 'http://claimgate.test',
    secret: TEST_SECRET,
    dataDir,
    database: { url: databaseUrl ?? '' },
    redis: { url: REDIS_URL ?? '', prefix: `cgtest:${randomBytes(4).toString('hex')}:` },
    firstAccess: {
      terms: { enabled: true, version: '2026-01', file: TERMS_FILE },
      profile: { enabled: true, fields: ['name', 'title', 'department', 'phone'], required: ['name'], picture: 'optional', pictureMaxBytes: 200_000 },
      password: { minLength: 12 },
      groups: { enabled: true, pool: ['Announcements', 'Engineering', 'London office', 'Social'], min: 1, max: 3 },
    },
    admins: ['admin@example.com'],
    mail: { from: 'claimgate@example.com', outboxDir: join(dataDir, 'outbox') },
    log: { level: 'info' },
  };
  return deepMerge(base, overrides);
}

function deepMerge(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key];
    out[key] = value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object' && !Array.isArray(current)
      ? deepMerge(current as Record<string, unknown>, value as Record<string, unknown>)
      : value;
  }
  return out;
}

export interface Harness {
  config: Config;
  runtime: Runtime;
  /** What the HTTP server runs: the gateway's fast path and the Express application behind it. */
  app: RequestListener;
  handle: AppHandle;
  /** Every log line the runtime wrote, as raw text. */
  logs: string[];
  dataDir: string;
  /** Moves the runtime's clock forward. */
  advance(ms: number): void;
  close(): Promise<void>;
}

export async function startHarness(overrides: Record<string, unknown> = {}, options: { workers?: boolean } = {}): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'claimgate-test-'));
  const database: TestDatabase = await createTestDatabase();
  const config = parseConfig(testConfigInput(dataDir, database.url, overrides), 'test');
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(chunk.toString());
      callback();
    },
  });
  let offset = 0;
  const runtime = await createRuntime(config, { logger: createLogger('info', sink), now: () => new Date(Date.now() + offset) });
  const handle = createApp(runtime);
  const app = handle.handler;
  if (options.workers) await runtime.jobs.startWorkers(serverWorkers(runtime));
  return {
    config,
    runtime,
    app,
    handle,
    logs,
    dataDir,
    advance: (ms) => {
      offset += ms;
    },
    async close() {
      await handle.close();
      if (runtime.redis) {
        const keys = await runtime.redis.keys(`${config.redis.prefix}*`);
        if (keys.length) await runtime.redis.del(keys);
      }
      await runtime.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
