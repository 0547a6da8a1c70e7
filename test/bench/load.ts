import autocannon from 'autocannon';
import type { Target } from './processes.js';

/** LoadOptions is one load run: the same for every target of a scenario. */
export interface LoadOptions {
  path: string;
  body: Buffer;
  connections: number;
  durationSec: number;
  /**
   * mix, when set, makes one request in `every` (per connection) send `body`
   * instead, at a different offset on each connection so they don't bunch;
   * its answers are told apart by size (`answerBytes` differs), and the
   * result's `small*` figures count only the others.
   */
  mix?: { body: Buffer; every: number };
}

/** LoadResult is what one run against one target measured. */
export interface LoadResult {
  target: string;
  /** rps is the rate of 2xx answers per second over the run. */
  rps: number;
  /** p50Ms and p99Ms are latency percentiles of 2xx answers, from autocannon's per-response times (sub-ms resolution). */
  p50Ms: number;
  p99Ms: number;
  /** bad counts non-2xx answers, errors and timeouts: any is a failed run. */
  bad: number;
  /** cpuUsPerReq is the target's CPU time (user+system) per 2xx answer in µs: robust to a shared, noisy machine. */
  cpuUsPerReq: number;
  /** rssMiB is the largest resident set size of the target sampled during the run. */
  rssMiB: number;
  /** smallP99Ms and mixedCount: with a `mix`, the p99 of the ordinary requests and how many mixed-in ones were answered. */
  smallP99Ms?: number;
  mixedCount?: number;
}

/**
 * runLoad drives one target with autocannon (HTTPS, keep-alive, no
 * pipelining) and samples its RSS every 200 ms. Latencies come from the
 * 'response' events (hdr buckets autocannon keeps are 1 ms wide, too coarse
 * for sub-millisecond answers).
 */
export async function runLoad(target: Target, options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  let rss = target.rssMiB();
  const sampler = setInterval(() => {
    rss = Math.max(rss, target.rssMiB());
  }, 200);
  const cpuBefore = target.cpuMs();
  const started = performance.now();
  const byBytes = new Map<number, number[]>();
  let clientIndex = 0;
  const mix = options.mix;
  const request = (body: Buffer) => ({ method: 'POST', path: options.path, headers: { 'content-type': 'application/json' }, body });
  const instance = autocannon({
    url: `https://127.0.0.1:${target.port}${options.path}`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: options.body,
    connections: options.connections,
    pipelining: 1,
    duration: options.durationSec,
    timeout: 30,
    ...(mix && {
      setupClient: (client: { setRequests(requests: unknown[]): void }) => {
        const offset = Math.floor(((clientIndex++ % options.connections) * mix.every) / options.connections);
        client.setRequests(Array.from({ length: mix.every }, (_, i) => request(i === offset ? mix.body : options.body)));
      },
    }),
  });
  instance.on('response', (_client: unknown, statusCode: number, bytes: number, responseTime: number) => {
    if (statusCode < 200 || statusCode >= 300) return;
    latencies.push(responseTime);
    if (mix) {
      let list = byBytes.get(bytes);
      if (list === undefined) byBytes.set(bytes, (list = []));
      list.push(responseTime);
    }
  });
  const result = await instance;
  const elapsedSec = (performance.now() - started) / 1000;
  const cpuMs = target.cpuMs() - cpuBefore;
  clearInterval(sampler);
  rss = Math.max(rss, target.rssMiB());
  latencies.sort((a, b) => a - b);
  // The ordinary requests' answers all have one size, the most common one.
  const groups = [...byBytes.values()].sort((a, b) => b.length - a.length);
  const small = groups[0]?.sort((a, b) => a - b);
  return {
    ...(mix && { smallP99Ms: percentile(small ?? [], 0.99), mixedCount: latencies.length - (small?.length ?? 0) }),
    target: target.name,
    rps: latencies.length / Math.max(elapsedSec, result.duration ?? 0, 1e-9),
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    cpuUsPerReq: latencies.length > 0 ? (cpuMs * 1000) / latencies.length : Number.NaN,
    bad: (result.non2xx ?? 0) + (result.errors ?? 0) + (result.timeouts ?? 0),
    rssMiB: rss,
  };
}

/** percentile returns the q-quantile (0..1) of sorted values (nearest rank), NaN when empty. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

/** mergeRuns combines the alternating runs of one target: the median rate, CPU and percentiles (one disturbed run doesn't move them), largest RSS, summed failures. */
export function mergeRuns(runs: readonly LoadResult[]): LoadResult {
  const first = runs[0];
  if (first === undefined) throw new Error('mergeRuns: no runs');
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(s.length / 2);
    return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
  };
  return {
    target: first.target,
    rps: median(runs.map((r) => r.rps)),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    bad: runs.reduce((sum, r) => sum + r.bad, 0),
    cpuUsPerReq: median(runs.map((r) => r.cpuUsPerReq)),
    rssMiB: Math.max(...runs.map((r) => r.rssMiB)),
    ...(first.smallP99Ms !== undefined && { smallP99Ms: median(runs.map((r) => r.smallP99Ms ?? Number.NaN)), mixedCount: runs.reduce((sum, r) => sum + (r.mixedCount ?? 0), 0) }),
  };
}
