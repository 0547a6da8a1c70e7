import type { LoadResult } from './load.js';

/** ScenarioResult is one scenario's merged result per target (the bare server first), or why it is pending. */
export interface ScenarioResult {
  scenario: string;
  connections?: number;
  pending?: string;
  runs: LoadResult[];
  /** idleRssMiB is each target's resident set right after start (ready, 1 s settled, before any load), by target name. */
  idleRssMiB: Record<string, number>;
}

/** PEER_NAME is the target the "vs peer" columns compare with. */
export const PEER_NAME = 'controller-runtime';

const ratio = (a: number, b: number | undefined) => (b === undefined || !Number.isFinite(a / b) ? '' : `${(a / b).toFixed(2)}x`);

/**
 * formatTable prints one row per scenario and target: requests/s, p50, p99
 * (and the small reviews' p99 in a mixed run), the throughput and CPU ratios
 * to the bare server of the same scenario (and to the peer when one ran),
 * idle and peak RSS, and failed requests. Pending scenarios get one row
 * saying why.
 */
export function formatTable(results: readonly ScenarioResult[]): string {
  const withPeer = results.some((r) => r.runs.some((run) => run.target === PEER_NAME));
  const header = ['scenario', 'server', 'conns', 'req/s', 'p50 ms', 'p99 ms', 'small p99', 'vs bare', 'CPU µs/req', 'CPU vs bare', ...(withPeer ? ['vs c-r', 'CPU vs c-r'] : []), 'idle MiB', 'peak MiB', 'failed'];
  const rows: string[][] = [header];
  const pending: string[] = [];
  for (const result of results) {
    if (result.pending !== undefined) {
      pending.push(`${result.scenario}: pending (${result.pending})`);
      continue;
    }
    const bare = result.runs.find((r) => r.target === 'bare');
    const peer = result.runs.find((r) => r.target === PEER_NAME);
    for (const run of result.runs) {
      const base = run.target.split(' +')[0] as string;
      const isBare = run.target.startsWith('bare');
      const isPeer = run.target.startsWith(PEER_NAME);
      rows.push([
        result.scenario,
        run.target,
        String(result.connections ?? ''),
        run.rps.toFixed(0),
        run.p50Ms.toFixed(2),
        run.p99Ms.toFixed(2),
        run.smallP99Ms === undefined ? '' : run.smallP99Ms.toFixed(2),
        isBare ? '' : ratio(run.rps, bare?.rps),
        run.cpuUsPerReq.toFixed(0),
        isBare ? '' : ratio(run.cpuUsPerReq, bare?.cpuUsPerReq),
        ...(withPeer ? (isBare || isPeer ? ['', ''] : [ratio(run.rps, peer?.rps), ratio(run.cpuUsPerReq, peer?.cpuUsPerReq)]) : []),
        result.idleRssMiB[base]?.toFixed(0) ?? '',
        run.rssMiB.toFixed(0),
        String(run.bad),
      ]);
    }
  }
  const widths = header.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length)));
  const lines = rows.map((row) => row.map((cell, col) => (col < 2 ? cell.padEnd(widths[col] as number) : cell.padStart(widths[col] as number))).join('  '));
  return [...lines, ...pending].join('\n');
}
