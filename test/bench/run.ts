import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureDevCertificates } from '../../src/server/certificates.js';
import { evaluateGoals, formatGoals } from './goals.js';
import { runLoad, mergeRuns } from './load.js';
import type { LoadOptions, LoadResult } from './load.js';
import { controllerRuntimePeer } from './peers.js';
import { enablePinning, startTarget } from './processes.js';
import type { Target } from './processes.js';
import { bareServer, SCENARIOS } from './scenarios.js';
import type { BenchContext, PeerServer, Scenario } from './scenarios.js';
import { formatTable } from './table.js';
import type { ScenarioResult } from './table.js';

/*
 * `npm run bench`: loads the real server (node dist/main.js serve, HTTPS,
 * keep-alive), a bare node:https server and, with --peers, a
 * controller-runtime webhook, alternately (A B A B) with the same autocannon
 * settings, scenario by scenario; prints requests/s, p50, p99, the ratios to
 * the bare server (and the peer), CPU per review, idle and peak RSS, then
 * every goal of issue 18 with its figure and whether it is met. Flags:
 *   --duration S      seconds per run (default 5)
 *   --connections N   concurrent keep-alive connections (default 16)
 *   --rounds N        A B rounds per scenario (default 3; figures are the median round)
 *   --only NAME       run only the scenarios whose name contains NAME (repeatable)
 *   --peers           also build (go build, cached) and load the peers under test/bench/peers/
 *   --no-pin          don't pin the load generator and the servers to separate CPUs
 *   --profile DIR     start the real server with node --cpu-prof, profiles written to DIR
 *   --log-level L     the real server's --log-level (default info)
 *   --node-flag F     a node/V8 flag for every Portcullis server, e.g. --node-flag=--max-semi-space-size=4 (repeatable)
 */

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const IDLE_SETTLE_MS = 1000;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '5' },
      connections: { type: 'string', default: '16' },
      rounds: { type: 'string', default: '3' },
      only: { type: 'string', multiple: true },
      peers: { type: 'boolean', default: false },
      'no-pin': { type: 'boolean', default: false },
      profile: { type: 'string' },
      'log-level': { type: 'string' },
      'node-flag': { type: 'string', multiple: true },
    },
  });
  const durationSec = Number(values.duration);
  const connections = Number(values.connections);
  const rounds = Number(values.rounds);
  const started = Date.now();
  const loadBefore = loadavg();
  const cpus = availableParallelism();
  const pinLine = values['no-pin'] ? 'pinning: off (--no-pin)' : enablePinning(cpus);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log(pinLine);
  const work = await mkdtemp(path.join(tmpdir(), 'portcullis-bench-'));
  const certDir = path.join(work, 'certs');
  await ensureDevCertificates(certDir);
  const peers: PeerServer[] = [];
  let peerLine = 'peers: not asked for (--peers)';
  if (values.peers) {
    const peer = await controllerRuntimePeer(ROOT, certDir, log);
    if ('skipped' in peer) peerLine = `peers: controller-runtime skipped: ${peer.skipped}`;
    else {
      peers.push(peer);
      peerLine = 'peers: controller-runtime (test/bench/peers/controller-runtime, kubebuilder style)';
    }
    log(peerLine);
  }
  const serveHelp = execFileSync(process.execPath, [path.join(ROOT, 'dist/main.js'), 'serve', '--help'], { encoding: 'utf8' });
  const context: BenchContext = { root: ROOT, work, certDir, profileDir: values.profile ? path.resolve(values.profile) : undefined, logLevel: values['log-level'], nodeFlags: values['node-flag'] ?? [], peers, serveHelp };

  const results: ScenarioResult[] = [];
  const selected = SCENARIOS.filter((s) => !values.only || values.only.some((o) => s.name.includes(o)));
  try {
    for (const scenario of selected) {
      results.push(await runScenario(scenario, context, { durationSec, connections, rounds }));
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const loadAfter = loadavg();
  const fmt = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  const header = [
    `portcullis bench — ${new Date().toISOString()} — node ${process.version}, ${cpus} CPUs, ${connections} connections, ${rounds}x A/B rounds of ${durationSec}s per target, ${Math.round((Date.now() - started) / 1000)}s total`,
    `machine load (1/5/15 min loadavg): ${fmt(loadBefore)} before, ${fmt(loadAfter)} after — other work shares these CPUs, so compare ratios, not absolute figures`,
    pinLine,
    peerLine,
    ...(context.nodeFlags.length > 0 ? [`node flags for Portcullis: ${context.nodeFlags.join(' ')}`] : []),
  ].join('\n');
  process.stdout.write(`\n${header}\n\n${formatTable(results)}\n\n${formatGoals(evaluateGoals(results))}\n`);
  if (results.some((r) => r.runs.some((run) => run.bad > 0))) process.exitCode = 1;
}

async function idleRss(target: Target): Promise<number> {
  await new Promise((r) => setTimeout(r, IDLE_SETTLE_MS));
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    samples.push(target.rssMiB());
    await new Promise((r) => setTimeout(r, 100));
  }
  return samples.sort((a, b) => a - b)[2] as number;
}

async function runScenario(scenario: Scenario, context: BenchContext, load: { durationSec: number; connections: number; rounds: number }): Promise<ScenarioResult> {
  const plan = await scenario.prepare(context);
  if ('pending' in plan) {
    process.stderr.write(`- ${scenario.name}: pending (${plan.pending})\n`);
    return { scenario: scenario.name, pending: plan.pending, runs: [], idleRssMiB: {} };
  }
  process.stderr.write(`- ${scenario.name}: ${plan.description}\n`);
  const targets: Target[] = [];
  const idleRssMiB: Record<string, number> = {};
  try {
    // A fresh bare server per scenario, so its RSS is this scenario's alone.
    for (const server of [...(plan.bare ?? [bareServer(context)]), ...plan.servers]) {
      const target = await startTarget(server);
      targets.push(target);
      // /healthz answers once one worker listens; the others may still be loading the configuration.
      if (server.settleMs) await new Promise((r) => setTimeout(r, server.settleMs));
      idleRssMiB[target.name] = await idleRss(target);
    }
    for (const target of targets) await plan.check(target);
    const connections = plan.connections ?? load.connections;
    const options: LoadOptions = { path: plan.path, body: plan.body, connections, durationSec: load.durationSec };
    const variants: { suffix: string; options: LoadOptions }[] = [{ suffix: '', options }];
    if (plan.mix) variants.push({ suffix: ` ${plan.mix.label}`, options: { ...options, mix: plan.mix } });
    // Warm-up (JIT, TLS sessions, caches) is not measured: 3 s per target (on a loaded machine a server gets a fraction of a core, and every worker of a multi-worker server must warm up too).
    for (const target of targets) for (const v of variants) await runLoad(target, { ...v.options, durationSec: 3 });
    const byTarget = new Map<string, LoadResult[]>();
    for (let round = 0; round < load.rounds; round++) {
      // The bare server goes first in every round; the others take turns in the later places, so no one always runs last.
      const [first, ...rest] = targets;
      const shift = rest.length === 0 ? 0 : round % rest.length;
      for (const target of [first as Target, ...rest.slice(shift), ...rest.slice(0, shift)]) {
        for (const v of variants) {
          const result = { ...(await runLoad(target, v.options)), target: target.name + v.suffix };
          const small = result.smallP99Ms === undefined ? '' : `  small p99 ${result.smallP99Ms.toFixed(2)} ms (${result.mixedCount} large)`;
          process.stderr.write(`    ${result.target.padEnd(30)} ${result.rps.toFixed(0).padStart(7)} req/s  p50 ${result.p50Ms.toFixed(2)} ms  p99 ${result.p99Ms.toFixed(2)} ms${small}  ${result.cpuUsPerReq.toFixed(0)} µs CPU/req  ${result.rssMiB.toFixed(0)} MiB${result.bad ? `  ${result.bad} FAILED` : ''}\n`);
          byTarget.set(result.target, [...(byTarget.get(result.target) ?? []), result]);
        }
      }
    }
    return { scenario: scenario.name, connections, runs: [...byTarget.values()].map(mergeRuns), idleRssMiB };
  } finally {
    for (const target of targets) await target.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
