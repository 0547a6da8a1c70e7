/**
 * Benchmark: time to convert a 1,000-object ConversionReview of CronTabs
 * with the shipped CRD and declarative converter (CEL), in two shapes:
 * every object needing conversion (1,000 v1beta1 -> v1, what a LIST of
 * stored objects read as v1 costs), and a mixed review (half v1beta1, half
 * v1; only the other half is converted). Reports the handler alone and the
 * whole request path minus the network (JSON.parse, review checks,
 * conversion, JSON.stringify).
 *
 *   node --import tsx test/bench/conversion.ts [--objects 1000] [--runs 200]
 */
import { parseArgs } from 'node:util';
import { createCelExpressionEngine } from '../../src/conversion/cel-expressions.js';
import { loadConversions } from '../../src/conversion/conversion-loader.js';
import { createConversionHandler } from '../../src/conversion/convert-review.js';
import { parseConversionReview } from '../../src/conversion/parse-review.js';
import { intoConversionReview } from '../../src/conversion/response.js';
import type { JsonObject, JsonValue } from '../../src/kube/types.js';
import { loadCrds } from '../../src/schema/crd-loader.js';

const { values } = parseArgs({ options: { objects: { type: 'string', default: '1000' }, runs: { type: 'string', default: '200' } } });
const count = Number(values.objects);
const runs = Number(values.runs);

function cronTab(i: number): JsonObject {
  const metadata: JsonObject = {
    name: `crontab-${i}`,
    namespace: `team-${i % 7}`,
    uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    resourceVersion: String(1000 + i),
    generation: 1,
    creationTimestamp: '2026-11-27T04:00:00Z',
    labels: { app: 'cron', tier: i % 2 === 0 ? 'batch' : 'web' },
    annotations: { 'example.com/owner': `owner-${i % 13}` },
  };
  const spec = { cronSpec: `*/${(i % 59) + 1} * * * *`, image: `registry.example.com/cron:${i % 10}`, replicas: i % 5 };
  return i % 2 === 0
    ? { apiVersion: 'example.com/v1beta1', kind: 'CronTab', metadata, spec, hostPort: `host-${i}.example.com:${1024 + i}` }
    : { apiVersion: 'example.com/v1', kind: 'CronTab', metadata, spec, host: `host-${i}.example.com`, port: String(1024 + i) };
}

const crds = (await loadCrds(['manifests/crds'])).map((l) => l.crd);
const registry = await loadConversions({ policyPaths: ['policies'], crds, engine: createCelExpressionEngine() });
const handler = createConversionHandler({ registry: () => registry });
const objects = Array.from({ length: count }, (_, i) => cronTab(i));
const stored = Array.from({ length: count }, (_, i) => cronTab(2 * i));
const review = (uid: string, desiredAPIVersion: string, list: JsonObject[]) =>
  JSON.stringify({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', request: { uid, desiredAPIVersion, objects: list } });
const scenarios: Array<[string, string[]]> = [
  [`all ${count} converted (v1beta1 -> v1)`, [review('bench-all', 'example.com/v1', stored)]],
  ['mixed versions (half converted)', [review('bench-0', 'example.com/v1beta1', objects), review('bench-1', 'example.com/v1', objects)]],
];

/**
 * measure reports wall-clock and CPU time (user + system, from
 * process.cpuUsage) per run. On a shared, loaded machine the wall clock
 * includes time spent waiting for a core; CPU time is the work itself.
 */
function measure(label: string, fn: (i: number) => void): void {
  for (let i = 0; i < 20; i++) fn(i); // warm-up: JIT and CEL caches
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn(i);
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const stats = (times: number[]) => {
    const sorted = [...times].sort((a, b) => a - b);
    const at = (q: number) => (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number).toFixed(2);
    return `median ${at(0.5)} ms, p95 ${at(0.95)} ms, min ${at(0)} ms`;
  };
  console.log(`${label} (${runs} runs)\n  wall: ${stats(wall)}\n  cpu:  ${stats(cpu)}`);
}

for (const [name, bodies] of scenarios) {
  const reviews = bodies.map((b) => parseConversionReview(JSON.parse(b) as JsonValue));
  measure(`${name}, handler only`, (i) => {
    const response = handler((reviews[i % reviews.length] as (typeof reviews)[number]).request);
    if (response.result.status !== 'Success') throw new Error(response.result.message);
  });
  measure(`${name}, parse + convert + serialize`, (i) => {
    const parsed = parseConversionReview(JSON.parse(bodies[i % bodies.length] as string) as JsonValue);
    const response = handler(parsed.request);
    if (JSON.stringify(intoConversionReview(parsed, response)).length === 0) throw new Error('empty');
  });
}
