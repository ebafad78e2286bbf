import { ConfigError, loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { AppError } from '../http/errors.js';
import { createLogger } from '../logging/logger.js';
import { createRuntime, type Runtime } from '../runtime.js';
import { recordedBaseUrl } from '../server/server-record.js';

export const CLI_ACTOR = 'cli';

export class CliFailure extends Error {}

/** Reads the configuration or stops with every problem named by its key path (exit code 1). */
export function configOrExit(): Config {
  try {
    // The CLI builds the links a running server would: its recorded baseUrl when nothing else sets one.
    return loadConfig(process.env, { recordedBaseUrl });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/** Runs a command with a runtime whose logs go to stderr, so stdout carries only the command's output. */
export async function withRuntime<T>(work: (runtime: Runtime) => Promise<T>): Promise<T> {
  const config = configOrExit();
  const logger = createLogger(process.env.CLAIMGATE_LOG_LEVEL ?? 'warn', process.stderr);
  const runtime = await createRuntime(config, { logger });
  try {
    return await work(runtime);
  } catch (error) {
    if (error instanceof AppError && error.expose) throw new CliFailure(`${error.publicMessage} (${error.code})`);
    throw error;
  } finally {
    await runtime.close();
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
