import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from '../logging/logger.js';
import { configPath } from '../config/load.js';
import type { Config } from '../config/schema.js';

const RECORD_FILE = 'server.json';

/** What a running server uses, so the CLI on the same machine builds the same links (`<dataDir>/server.json`). */
export interface ServerRecord {
  baseUrl: string;
  port: number;
  configFile: string;
}

export function writeServerRecord(dataDir: string, record: ServerRecord): void {
  mkdirSync(resolve(dataDir), { recursive: true });
  writeFileSync(join(resolve(dataDir), RECORD_FILE), `${JSON.stringify(record)}\n`, { mode: 0o644 });
}

export function recordedBaseUrl(dataDir: string): string | undefined {
  try {
    const record = JSON.parse(readFileSync(join(resolve(dataDir), RECORD_FILE), 'utf8')) as Partial<ServerRecord>;
    return typeof record.baseUrl === 'string' ? record.baseUrl : undefined;
  } catch {
    return undefined;
  }
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/**
 * A baseUrl on this machine (localhost) that names another port than the one listened on builds links that lead
 * nowhere. Behind a proxy (any other host) the ports differ on purpose.
 */
export function portMismatch(baseUrl: string, listening: number): string | undefined {
  const url = new URL(baseUrl);
  if (!LOOPBACK.test(url.hostname)) return undefined;
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  if (port === listening) return undefined;
  return `baseUrl ${baseUrl} names port ${port} but claimgate listens on port ${listening}: links in mails and exports will not reach it (set baseUrl or CLAIMGATE_BASE_URL to match, or leave baseUrl unset to follow PORT)`;
}

/** Once listening: warns of a base URL that names another local port, and records the base URL for the CLI. */
export function recordListening(config: Config, port: number, logger: Logger): void {
  const mismatch = portMismatch(config.baseUrl, port);
  if (mismatch) logger.warn({ port, baseUrl: config.baseUrl }, mismatch);
  try {
    writeServerRecord(config.dataDir, { baseUrl: config.baseUrl, port, configFile: configPath() });
  } catch (error) {
    logger.warn({ err: error }, 'could not record the base URL for the CLI');
  }
}
