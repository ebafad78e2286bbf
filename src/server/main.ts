import { createServer } from 'node:http';
import { ConfigError, loadConfig } from '../config/load.js';
import { createApp } from '../http/app.js';
import { serverWorkers } from '../jobs/workers.js';
import { createRuntime } from '../runtime.js';

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
  const runtime = await createRuntime(config);
  const handle = createApp(runtime);
  const port = Number(process.env.PORT ?? 3000);
  const server = createServer(handle.handler).listen(port, () => {
    runtime.logger.info({ port, baseUrl: config.baseUrl, database: runtime.db.engine, sessions: runtime.redis ? 'redis' : 'database' }, 'claimgate listening');
  });
  server.on('upgrade', handle.upgrade);
  await runtime.jobs.startWorkers(serverWorkers(runtime));
  const shutdown = (signal: string) => {
    runtime.logger.info({ signal }, 'shutting down');
    handle.close();
    server.close(() => {
      void runtime.close().finally(() => process.exit(0));
    });
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`claimgate failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
