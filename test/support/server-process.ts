import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { TEST_SECRET, testConfigInput } from './harness.js';

export interface ServerProcess {
  child: ChildProcess;
  /** http://127.0.0.1:<port> */
  url: string;
  /** Every line the process wrote to stdout and stderr. */
  output: string[];
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Writes a configuration file every process started with it shares (same data folder, database, Redis prefix). */
export function writeServerConfig(dir: string, databaseUrl: string | undefined, redisUrl: string | undefined, overrides: Record<string, unknown> = {}): string {
  // One process unless a test asks for workers: production mode's default (`auto`) would fork one per core.
  const input = testConfigInput(dir, databaseUrl, { redis: { url: redisUrl ?? '' }, server: { workers: 1 }, ...overrides });
  const file = join(dir, 'claimgate.yaml');
  writeFileSync(file, stringify(input));
  return file;
}

/** Starts `node dist/src/server/main.js` (run `npm run build` first) on a free port; resolves once it listens. */
export function startServerProcess(configFile: string, env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['dist/src/server/main.js'], {
    env: { ...process.env, ...env, CLAIMGATE_CONFIG: configFile, CLAIMGATE_SECRET: TEST_SECRET, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    // Well inside PROCESS_TEST_TIMEOUT, so a hung start is reported with its output rather than as a jest timeout.
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output.join('\n')}`)), 180_000);
    let pending = '';
    const onData = (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        output.push(line);
        if (!line.includes('claimgate listening')) continue;
        clearTimeout(timer);
        const port = (JSON.parse(line) as { port: number }).port;
        resolve({
          child,
          url: `http://127.0.0.1:${port}`,
          output,
          exited,
          async stop(signal = 'SIGTERM') {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${output.join('\n')}`));
    });
  });
}
