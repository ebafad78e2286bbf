import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { TEST_SECRET } from './harness.js';

const run = promisify(execFile);

/** Runs the built CLI (`bin/claimgate.js`) with a configuration file; resolves with its stdout. */
export async function claimgateCli(configFile: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['bin/claimgate.js', ...args], {
    env: { ...process.env, CLAIMGATE_CONFIG: configFile, CLAIMGATE_SECRET: TEST_SECRET },
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}
