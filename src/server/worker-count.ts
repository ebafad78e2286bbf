import { availableParallelism } from 'node:os';
import type { Config } from '../config/schema.js';

/**
 * How many processes serve the port. `auto` is one per core; unset means `auto` in production mode (database.url)
 * and 1 in the embedded mode, where SQLite allows one writer (config check refuses more there).
 */
export function workerCount(config: Config, cores = availableParallelism()): number {
  const setting = config.server.workers ?? (config.database.url ? 'auto' : 1);
  return setting === 'auto' ? Math.max(1, cores) : setting;
}
