import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config/schema.js';
import { createApp } from '../http/app.js';
import { serverWorkers } from '../jobs/workers.js';
import { clusterScrape } from '../metrics/cluster.js';
import { createRuntime } from '../runtime.js';
import { serveHandedConnections, type HandedConnections } from './handed-connections.js';
import { listenFailure } from './listen-failure.js';
import { recordListening } from './server-record.js';

export interface ServeOptions {
  /** Whether this process runs the background jobs (reminders, exports, clean-up): exactly one process per server. */
  jobs: boolean;
  /** The worker slot under a cluster primary (1..n); absent when this process is the whole server. */
  worker?: number;
}

/** One serving process: the runtime, the HTTP server on PORT, graceful shutdown on SIGTERM/SIGINT. */
export async function serve(config: Config, options: ServeOptions): Promise<void> {
  const runtime = await createRuntime(config, { defaultMetrics: true });
  if (options.worker) runtime.metrics.scrape = clusterScrape(runtime.metrics.registry);
  const handle = createApp(runtime);
  const port = Number(process.env.PORT ?? 3000);
  const server = createServer(handle.handler);
  server.on('upgrade', handle.upgrade);
  let stopping = false;
  let handed: HandedConnections | undefined;
  // Drain: stop accepting, close WebSocket tunnels and idle keep-alive connections, let requests in flight finish,
  // then close the database and Redis. A request still running after the grace period is cut off with exit code 1.
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    runtime.logger.info({ signal, worker: options.worker }, 'shutting down: draining requests in flight');
    setTimeout(() => {
      runtime.logger.error({ signal, worker: options.worker }, 'still stopping after the grace period (requests in flight or background jobs): exiting');
      process.exit(1);
    }, 10_000).unref();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const tunnels = handle.endTunnels();
    if (tunnels) runtime.logger.info({ tunnels, worker: options.worker }, 'websocket tunnels closed: shutting down');
    void Promise.all([closed, handed?.drained()]).then(async () => {
      // The upstream pool failing to close cleanly does not keep the database and Redis open.
      await handle.close().catch((error: Error) => runtime.logger.warn({ err: { message: error.message } }, 'closing the upstream connections failed'));
      void runtime.close().then(
        () => {
          runtime.logger.info({ signal, worker: options.worker }, 'stopped');
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
  if (options.jobs) {
    await runtime.jobs.startWorkers(serverWorkers(runtime));
    runtime.logger.info({ worker: options.worker, engine: runtime.jobs.kind }, 'background jobs started');
  }
  if (stopping) return;
  server.on('error', (error: NodeJS.ErrnoException) => {
    process.stderr.write(`${listenFailure(error, port)}\n`);
    process.exit(1);
  });
  const facts = { baseUrl: config.baseUrl, database: runtime.db.dialect.name, sessions: runtime.redis ? 'redis' : 'database' };
  // Under a primary, the primary listens on the port, hands each connection over, and announces the server once
  // every worker is ready.
  if (options.worker) {
    handed = serveHandedConnections(server, () => runtime.logger.info({ ...facts, worker: options.worker, pid: process.pid }, 'worker listening'));
    return;
  }
  server.listen(port, () => {
    const { port: listening } = server.address() as AddressInfo;
    runtime.logger.info({ ...facts, port: listening }, 'claimgate listening');
    recordListening(config, listening, runtime.logger);
  });
}
