import type { LoadResult } from './load.js';

/** ScenarioResult is one scenario's merged result per target (the bare server first), or why it is pending. */
export interface ScenarioResult {
  scenario: string;
  connections?: number;
  pending?: string;
  runs: LoadResult[];
}

/**
 * formatTable prints one row per scenario and target: requests/s, p50, p99,
 * the throughput ratio to the bare server of the same scenario, RSS and
 * failed requests. Pending scenarios get one row saying why.
 */
export function formatTable(results: readonly ScenarioResult[]): string {
  const rows: string[][] = [['scenario', 'server', 'conns', 'req/s', 'p50 ms', 'p99 ms', 'vs bare', 'CPU µs/req', 'CPU vs bare', 'RSS MiB', 'failed']];
  for (const result of results) {
    if (result.pending !== undefined) {
      rows.push([result.scenario, `pending: ${result.pending}`]);
      continue;
    }
    const bare = result.runs.find((r) => r.target === 'bare');
    for (const run of result.runs) {
      rows.push([
        result.scenario,
        run.target,
        String(result.connections ?? ''),
        run.rps.toFixed(0),
        run.p50Ms.toFixed(2),
        run.p99Ms.toFixed(2),
        bare && run !== bare ? `${(run.rps / bare.rps).toFixed(2)}x` : '',
        run.cpuUsPerReq.toFixed(0),
        bare && run !== bare ? `${(run.cpuUsPerReq / bare.cpuUsPerReq).toFixed(2)}x` : '',
        run.rssMiB.toFixed(0),
        String(run.bad),
      ]);
    }
  }
  const widths = rows[0]!.map((_, col) => Math.max(...rows.filter((r) => r.length > 2 && !r[1]!.startsWith('pending')).map((r) => r[col]!.length)));
  return rows
    .map((row) => (row[1]!.startsWith('pending') ? `${row[0]!.padEnd(widths[0]!)}  ${row[1]}` : row.map((cell, col) => (col < 2 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join('  ')))
    .join('\n');
}

/** GOALS are the targets of issue 8 (not CI gates). */
export const GOALS = {
  validateRatio: 0.5,
  validateRatioAim: 0.6,
  p99Ms: 5,
  conversionMs: 20,
  policyCostRatio: 1.5,
  rssMiB: 150,
} as const;

/** goalLines states where each goal stands, from the results that exist. */
export function goalLines(results: readonly ScenarioResult[]): string[] {
  const lines: string[] = ['goals:'];
  const find = (scenario: string, target: string) => results.find((r) => r.scenario === scenario)?.runs.find((r) => r.target === target);
  const mark = (ok: boolean) => (ok ? 'met ' : 'MISS');
  const validate = find('validate 2.5 KB', 'portcullis');
  const validateBare = find('validate 2.5 KB', 'bare');
  if (validate && validateBare) {
    const ratio = validate.rps / validateBare.rps;
    const cpu = validateBare.cpuUsPerReq / validate.cpuUsPerReq;
    lines.push(`  ${mark(ratio >= GOALS.validateRatio)} validate throughput ${ratio.toFixed(2)}x bare; CPU-per-review ratio ${cpu.toFixed(2)}x (goal >= ${GOALS.validateRatio}, aim ${GOALS.validateRatioAim})`);
    lines.push(`  ${mark(validate.p99Ms <= GOALS.p99Ms)} validate p99 ${validate.p99Ms.toFixed(2)} ms at ${results.find((r) => r.scenario === 'validate 2.5 KB')?.connections} connections (goal <= ${GOALS.p99Ms} ms)`);
  }
  const conversion = find('convert 1000 objects', 'portcullis');
  if (conversion) lines.push(`  ${mark(conversion.p50Ms < GOALS.conversionMs)} 1,000-object conversion p50 ${conversion.p50Ms.toFixed(2)} ms (goal < ${GOALS.conversionMs} ms)`);
  const p10 = find('policies 10 vs 1000', 'policies-10');
  const p1000 = find('policies 10 vs 1000', 'policies-1000');
  if (p10 && p1000) {
    const ratio = p1000.cpuUsPerReq / p10.cpuUsPerReq;
    lines.push(`  ${mark(ratio <= GOALS.policyCostRatio)} 1,000 policies cost ${ratio.toFixed(2)}x the CPU per review of 10 (throughput ${(p10.rps / p1000.rps).toFixed(2)}x) (goal <= ${GOALS.policyCostRatio})`);
  }
  const rss = Math.max(...results.flatMap((r) => r.runs.filter((run) => run.target !== 'bare').map((run) => run.rssMiB)));
  if (Number.isFinite(rss)) lines.push(`  ${mark(rss < GOALS.rssMiB)} largest server RSS ${rss.toFixed(0)} MiB (goal < ${GOALS.rssMiB} MiB)`);
  for (const r of results.filter((x) => x.pending)) lines.push(`  pending: ${r.scenario} (${r.pending})`);
  return lines;
}
