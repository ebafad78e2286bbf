import { createClient } from 'redis';
import type nunjucks from 'nunjucks';
import { createAudit, type Audit } from './audit/audit.js';
import type { Config } from './config/schema.js';
import { openDatabase, type Database } from './db/database.js';
import { IdentityCache } from './gateway/identity.js';
import type { JobEngine } from './jobs/engine.js';
import { inProcessEngine } from './jobs/in-process-engine.js';
import { pgBossEngine } from './jobs/pg-boss-engine.js';
import { ensureGroupPool } from './groups/groups.js';
import { createTextViews, createViews } from './http/views.js';
import { loadBrandAssets, type BrandAssets } from './branding/assets.js';
import { createMessages, type Messages } from './i18n/messages.js';
import { createLogger, type Logger } from './logging/logger.js';
import { createMailer, type Mailer } from './mail/mailer.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import { loadKeys, type Keys } from './secrets/keys.js';
import { createShortLivedStore } from './store/create-store.js';
import type { ShortLivedStore } from './store/short-lived-store.js';
import { syncConfiguredEndpoints } from './webhooks/endpoints.js';

export type RedisClient = ReturnType<typeof createClient>;

/** Everything a request handler or a CLI command needs, built once per process. */
export interface Runtime {
  config: Config;
  db: Database;
  logger: Logger;
  audit: Audit;
  mailer: Mailer;
  keys: Keys;
  views: nunjucks.Environment;
  textViews: nunjucks.Environment;
  /** The message catalogues (shipped, with the operator's overrides). */
  messages: Messages;
  brand: BrandAssets;
  redis: RedisClient | undefined;
  /** Sessions, single-use SSO values, SAML requests and rate limits: Redis when configured, else the database. */
  store: ShortLivedStore;
  identities: IdentityCache;
  /** Background jobs: pg-boss on PostgreSQL, in-process in the embedded mode. Workers run only where started. */
  jobs: JobEngine;
  metrics: Metrics;
  /** Aborted when `close` starts: outgoing work (webhook deliveries) stops instead of holding the shutdown. */
  stopping: AbortSignal;
  now(): Date;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  logger?: Logger;
  now?: () => Date;
  migrate?: boolean;
  /** Process-level metrics (CPU, memory, event loop) too: on for the server, off for the CLI and tests. */
  defaultMetrics?: boolean;
}

export async function createRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const logger = options.logger ?? createLogger(config.log.level);
  const now = options.now ?? (() => new Date());
  const keys = loadKeys(config);
  const db = await openDatabase(config, { migrate: options.migrate ?? true });
  let redis: RedisClient | undefined;
  if (config.redis.url) {
    // No offline queue: while Redis is unreachable every command fails at once (503), instead of waiting for a
    // reconnect that may never come; the client keeps reconnecting in the background and recovers by itself.
    redis = createClient({
      url: config.redis.url,
      disableOfflineQueue: true,
      socket: { connectTimeout: 2000, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000) },
    });
    redis.on('error', (error: Error) => logger.error({ err: { message: error.message } }, 'redis error'));
    await redis.connect();
  }
  await ensureGroupPool(db, config.firstAccess.groups.pool, now(), config.firstAccess.groups.assignedOnly);
  await syncConfiguredEndpoints(db, config, now());
  const mailer = createMailer(config, logger);
  const jobs = config.database.url ? pgBossEngine(config.database.url, logger) : inProcessEngine(logger);
  const stopping = new AbortController();
  const runtime: Runtime = {
    config,
    db,
    logger,
    audit: createAudit(db, logger, now, () => {
      jobs.enqueueWebhooks().catch((error: unknown) => logger.error({ err: error }, 'could not wake the webhook deliverer (the next poll will deliver)'));
    }),
    mailer,
    keys,
    views: createViews(),
    textViews: createTextViews(),
    messages: createMessages(config),
    brand: loadBrandAssets(config),
    redis,
    store: createShortLivedStore(db, redis, config.redis.prefix, now),
    now,
    identities: undefined as unknown as IdentityCache,
    jobs,
    metrics: createMetrics({ defaultMetrics: options.defaultMetrics ?? false }),
    stopping: stopping.signal,
    async close() {
      stopping.abort();
      runtime.metrics.close();
      await jobs.stop();
      mailer.close();
      // A Redis that is down cannot take a QUIT: drop the connection instead of waiting for it.
      if (redis?.isOpen) await redis.close().catch(() => redis?.destroy());
      await db.close();
    },
  };
  runtime.identities = new IdentityCache(runtime);
  return runtime;
}
