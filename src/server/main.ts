import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, configPath, loadConfig } from '../config/load.js';
import { createApp } from '../http/app.js';
import { serverWorkers } from '../jobs/workers.js';
import { createRuntime } from '../runtime.js';
import { portMismatch, writeServerRecord } from './server-record.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const runtime = await createRuntime(config, { defaultMetrics: true });
  const handle = createApp(runtime);
  const port = Number(process.env.PORT ?? 3000);
  const server = createServer(handle.handler);
  server.on('upgrade', handle.upgrade);
  let stopping = false;
  // Drain: stop accepting, close idle keep-alive connections, let requests in flight finish, then close the
  // database and Redis. A request still running after the grace period is cut off with exit code 1.
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    runtime.logger.info({ signal }, 'shutting down: draining requests in flight');
    setTimeout(() => {
      runtime.logger.error({ signal }, 'requests still in flight after the grace period: exiting');
      process.exit(1);
    }, 10_000).unref();
    server.close(() => {
      handle.close();
      void runtime.close().then(
        () => {
          runtime.logger.info({ signal }, 'stopped');
          process.exit(0);
        },
        () => process.exit(1),
      );
    });
    // A keep-alive connection whose last request just finished is idle now: close it rather than wait for its timeout.
    server.closeIdleConnections();
    setInterval(() => server.closeIdleConnections(), 100).unref();
  };
  // Handlers first: a SIGTERM while the job workers start still drains and exits cleanly.
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  await runtime.jobs.startWorkers(serverWorkers(runtime));
  if (stopping) return;
  server.on('error', (error: NodeJS.ErrnoException) => {
    const reason = error.code === 'EADDRINUSE' ? `port ${port} is in use (set PORT to another one, and baseUrl to match)` : error.message;
    process.stderr.write(`claimgate failed to start: ${reason}\n`);
    process.exit(1);
  });
  server.listen(port, () => {
    const { port: listening } = server.address() as AddressInfo;
    runtime.logger.info({ port: listening, baseUrl: config.baseUrl, database: runtime.db.dialect.name, sessions: runtime.redis ? 'redis' : 'database' }, 'claimgate listening');
    const mismatch = portMismatch(config.baseUrl, listening);
    if (mismatch) runtime.logger.warn({ port: listening, baseUrl: config.baseUrl }, mismatch);
    try {
      writeServerRecord(config.dataDir, { baseUrl: config.baseUrl, port: listening, configFile: configPath() });
    } catch (error) {
      runtime.logger.warn({ err: error }, 'could not record the base URL for the CLI');
    }
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`claimgate failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
