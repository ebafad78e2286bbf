// Summarises the newest .cpuprofile in a directory (from `node --cpu-prof`): self time by function and by module,
// the text form of a flame graph's widest leaves. Usage: node profile-summary.mjs <dir> [top]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** `node_modules/<package>`, `src/<dir>`, `node:<internal>`, or the program's own bucket (GC, idle, native). */
function moduleOf(url) {
  if (!url) return '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const own = /\/dist\/src\/([^/]+)\//.exec(url);
  if (own) return `claimgate src/${own[1]}`;
  if (url.startsWith('node:')) return url.split('/')[0].replace(/^node:internal$/, 'node:internal');
  return url;
}

export function summarise(dir, top = 20) {
  const newest = readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => join(dir, name)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  if (!newest) return `no .cpuprofile in ${dir}`;
  const profile = JSON.parse(readFileSync(newest, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const hits = new Map();
  profile.samples.forEach((id, i) => hits.set(id, (hits.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byFrame = new Map();
  const byModule = new Map();
  let total = 0;
  for (const [id, micros] of hits) {
    const { callFrame } = byId.get(id);
    const file = callFrame.url.replace(/^.*?\/(node_modules|dist)\//, '$1/');
    const frame = `${callFrame.functionName || '(anonymous)'} ${file ? `${file}:${callFrame.lineNumber + 1}` : ''}`.trim();
    byFrame.set(frame, (byFrame.get(frame) ?? 0) + micros);
    const module = callFrame.url ? moduleOf(callFrame.url) : callFrame.functionName;
    byModule.set(module, (byModule.get(module) ?? 0) + micros);
    total += micros;
  }
  const busy = total - (byFrame.get('(idle)') ?? 0);
  const rows = (map) => [...map].filter(([name]) => name !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, top)
    .map(([name, micros]) => `${((100 * micros) / busy).toFixed(1).padStart(5)}%  ${name}`);
  return [
    `${newest}: ${(total / 1e6).toFixed(1)} s sampled, ${((100 * busy) / total).toFixed(0)}% busy; self time as a share of busy time`,
    'top frames:', ...rows(byFrame),
    'by module:', ...rows(byModule),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(summarise(process.argv[2] ?? '.', Number(process.argv[3] ?? 20)));
