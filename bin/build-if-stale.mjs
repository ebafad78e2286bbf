#!/usr/bin/env node
// `npm start` builds only when a source file is newer than the last build: a rebuild costs tens of seconds on a
// loaded machine, and a restart after changing the configuration changes no code.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const stamp = join(root, 'dist', '.build-stamp');
const SOURCES = ['src', 'migrations', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'];

function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((latest, name) => Math.max(latest, newest(join(path, name))), stat.mtimeMs);
}

const built = existsSync(stamp) && existsSync(join(root, 'dist', 'src', 'server', 'main.js')) ? statSync(stamp).mtimeMs : 0;
const changed = Math.max(...SOURCES.map((source) => newest(join(root, source))));
if (built && changed <= built) process.exit(0);
const started = Date.now();
const build = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
writeFileSync(stamp, `${new Date(started).toISOString()}\n`);
// A file saved while the build ran is newer than the stamp: the next start builds again.
utimesSync(stamp, started / 1000, started / 1000);
