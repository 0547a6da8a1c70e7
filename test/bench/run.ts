import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureDevCertificates } from '../../src/server/certificates.js';
import { runLoad, mergeRuns } from './load.js';
import type { LoadResult } from './load.js';
import { startTarget } from './processes.js';
import type { Target } from './processes.js';
import { SCENARIOS } from './scenarios.js';
import type { BenchContext, Scenario } from './scenarios.js';
import { formatTable, goalLines } from './table.js';
import type { ScenarioResult } from './table.js';

/*
 * `npm run bench`: loads the real server (node dist/main.js serve, HTTPS,
 * keep-alive) and a bare node:https server alternately (A B A B) with the same
 * autocannon settings, scenario by scenario, and prints requests/s, p50, p99,
 * the ratio to the bare server and the server's RSS. Flags:
 *   --duration S      seconds per run (default 5)
 *   --connections N   concurrent keep-alive connections (default 16)
 *   --rounds N        A B rounds per scenario (default 2)
 *   --only NAME       run only the scenarios whose name contains NAME (repeatable)
 *   --profile DIR     start the real server with node --cpu-prof, profiles written to DIR
 *   --log-level L     the real server's --log-level (default info, one line per review)
 */

const ROOT = path.resolve(import.meta.dirname, '..', '..');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '5' },
      connections: { type: 'string', default: '16' },
      rounds: { type: 'string', default: '2' },
      only: { type: 'string', multiple: true },
      profile: { type: 'string' },
      'log-level': { type: 'string' },
    },
  });
  const durationSec = Number(values.duration);
  const connections = Number(values.connections);
  const rounds = Number(values.rounds);
  const started = Date.now();
  const work = await mkdtemp(path.join(tmpdir(), 'portcullis-bench-'));
  const certDir = path.join(work, 'certs');
  await ensureDevCertificates(certDir);
  const context: BenchContext = { root: ROOT, work, certDir, profileDir: values.profile ? path.resolve(values.profile) : undefined, logLevel: values['log-level'] };

  const bare = await startTarget({ name: 'bare', args: (port) => ['--import', 'tsx', path.join(ROOT, 'bench/bare-server.ts'), String(port), certDir] });
  const results: ScenarioResult[] = [];
  const selected = SCENARIOS.filter((s) => !values.only || values.only.some((o) => s.name.includes(o)));
  try {
    for (const scenario of selected) {
      results.push(await runScenario(scenario, bare, context, { durationSec, connections, rounds }));
    }
  } finally {
    await bare.stop();
    await rm(work, { recursive: true, force: true });
  }
  const header = `portcullis bench — ${new Date().toISOString()} — node ${process.version}, ${(await import('node:os')).cpus().length} cores, ` +
    `${connections} connections, ${rounds}x A/B rounds of ${durationSec}s per target, ${Math.round((Date.now() - started) / 1000)}s total`;
  process.stdout.write(`\n${header}\n\n${formatTable(results)}\n\n${goalLines(results).join('\n')}\n`);
  if (results.some((r) => r.runs.some((run) => run.bad > 0))) process.exitCode = 1;
}

async function runScenario(scenario: Scenario, bare: Target, context: BenchContext, load: { durationSec: number; connections: number; rounds: number }): Promise<ScenarioResult> {
  const plan = await scenario.prepare(context);
  if ('pending' in plan) {
    process.stderr.write(`- ${scenario.name}: pending (${plan.pending})\n`);
    return { scenario: scenario.name, pending: plan.pending, runs: [] };
  }
  process.stderr.write(`- ${scenario.name}: ${plan.description}\n`);
  const targets: Target[] = [bare];
  try {
    for (const server of plan.servers) targets.push(await startTarget(server));
    for (const target of targets) await plan.check(target);
    const connections = plan.connections ?? load.connections;
    const options = { path: plan.path, body: plan.body, connections, durationSec: load.durationSec };
    // Warm-up (JIT, TLS sessions, caches) is not measured.
    for (const target of targets) await runLoad(target, { ...options, durationSec: 1 });
    const byTarget = new Map<string, LoadResult[]>();
    for (let round = 0; round < load.rounds; round++) {
      for (const target of targets) {
        const result = await runLoad(target, options);
        process.stderr.write(`    ${target.name.padEnd(16)} ${result.rps.toFixed(0).padStart(7)} req/s  p50 ${result.p50Ms.toFixed(2)} ms  p99 ${result.p99Ms.toFixed(2)} ms  ${result.cpuUsPerReq.toFixed(0)} µs CPU/req${result.bad ? `  ${result.bad} FAILED` : ''}\n`);
        byTarget.set(target.name, [...(byTarget.get(target.name) ?? []), result]);
      }
    }
    return { scenario: scenario.name, connections, runs: [...byTarget.values()].map(mergeRuns) };
  } finally {
    for (const target of targets.slice(1)) await target.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
