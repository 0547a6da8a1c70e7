import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';

/*
 * Summarises .cpuprofile files written by `node --cpu-prof` (see
 * `npm run bench -- --profile DIR`): self time per function, the top N,
 * so the hot path's costs can be read without DevTools.
 *   node --import tsx test/bench/profile-summary.ts DIR [N] [LAST_SECONDS]
 * LAST_SECONDS keeps only the end of each profile (the measured runs, not start-up).
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** summarise returns [label, self ms] sorted by self time, largest first, over the last `lastMs` of the profile (default all). */
export function summarise(profile: CpuProfile, lastMs = Number.POSITIVE_INFINITY): { label: string; selfMs: number }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const total = profile.timeDeltas.reduce((s, d) => s + d, 0) / 1000;
  let at = 0;
  profile.samples.forEach((id, i) => {
    at += (profile.timeDeltas[i] ?? 0) / 1000;
    if (at < total - lastMs) return;
    const node = byId.get(id);
    if (!node) return;
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url ? url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules\/|dist\/|src\/)/, '$1') : '';
    const label = `${functionName || '(anonymous)'} ${file}${file ? `:${lineNumber + 1}` : ''}`;
    self.set(label, (self.get(label) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...self.entries()].map(([label, selfMs]) => ({ label, selfMs })).sort((a, b) => b.selfMs - a.selfMs);
}

async function main(): Promise<void> {
  const [dir, topArg, lastArg] = process.argv.slice(2);
  if (!dir) throw new Error('usage: profile-summary.ts DIR [N] [LAST_SECONDS]');
  const top = Number(topArg ?? 25);
  const lastMs = lastArg === undefined ? Number.POSITIVE_INFINITY : Number(lastArg) * 1000;
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile')).sort()) {
    const rows = summarise(JSON.parse(await readFile(path.join(dir, file), 'utf8')) as CpuProfile, lastMs);
    const total = rows.reduce((s, r) => s + r.selfMs, 0);
    process.stdout.write(`\n${file}: ${total.toFixed(0)} ms sampled\n`);
    for (const row of rows.slice(0, top)) process.stdout.write(`${row.selfMs.toFixed(0).padStart(8)} ms ${((100 * row.selfMs) / total).toFixed(1).padStart(5)}%  ${row.label}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
