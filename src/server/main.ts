import cluster from 'node:cluster';
import { ConfigError, loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { workerCount } from './worker-count.js';

function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

async function main(): Promise<void> {
  const config = configOrExit();
  const workers = workerCount(config);
  // The serving code is loaded only where it serves: a cluster primary stays a small process.
  if (workers === 1) {
    const { serve } = await import('./serve.js');
    return serve(config, { jobs: true });
  }
  if (cluster.isPrimary) {
    const { runPrimary } = await import('./primary.js');
    return runPrimary(config, workers);
  }
  const slot = Number(process.env.CLAIMGATE_WORKER_SLOT);
  const { serve } = await import('./serve.js');
  // Background jobs run in worker 1 only (its replacement takes them over after a crash), never once per worker.
  return serve(config, { jobs: slot === 1, worker: slot });
}

main().catch((error: unknown) => {
  process.stderr.write(`claimgate failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
