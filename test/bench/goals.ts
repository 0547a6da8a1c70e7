import type { LoadResult } from './load.js';
import { PEER_NAME } from './table.js';
import type { ScenarioResult } from './table.js';

/** GOALS are the targets of issue 18, each a ratio measured in one run (reported, not CI gates). */
export const GOALS = {
  validateRatio: 0.75,
  denyMutateRatio: 0.6,
  largeRatio: 0.7,
  cpuRatio: 1.5,
  isolationP99Ratio: 2,
  idleRssRatio: 1.3,
  peakRssRatio: 1.2,
  workersEfficiency: 0.85,
  conversionMs: 20,
  policyCostRatio: 1.5,
} as const;

/** Goal is one line of the goal table: met, missed, or a stated figure (met undefined); `pending` when not measured in this run. */
export interface Goal {
  goal: string;
  figure: string;
  met?: boolean;
  pending?: boolean;
}

/** evaluateGoals states where each goal stands, from the results of this run. */
export function evaluateGoals(results: readonly ScenarioResult[]): Goal[] {
  const scenario = (name: string) => results.find((r) => r.scenario === name && r.pending === undefined);
  const find = (name: string, target: string): LoadResult | undefined => scenario(name)?.runs.find((r) => r.target === target);
  const goals: Goal[] = [];
  const notRun = (goal: string, name: string) => goals.push({ goal, figure: results.find((r) => r.scenario === name)?.pending ?? `scenario "${name}" not run`, pending: true });
  const vsBare = (name: string, label: string, min: number) => {
    const p = find(name, 'portcullis');
    const b = find(name, 'bare');
    if (!p || !b) return notRun(`${label} >= ${min}x bare`, name);
    const r = p.rps / b.rps;
    goals.push({ goal: `${label} throughput >= ${min}x bare`, figure: `${r.toFixed(2)}x (${p.rps.toFixed(0)} vs ${b.rps.toFixed(0)} req/s)`, met: r >= min });
  };
  vsBare('validate valid', 'validate, valid review:', GOALS.validateRatio);
  vsBare('validate denied', 'validate, 422 denial:', GOALS.denyMutateRatio);
  vsBare('mutate defaults', 'mutate, defaults:', GOALS.denyMutateRatio);
  vsBare('validate 1 MiB', 'validate 1 MiB:', GOALS.largeRatio);

  const valid = find('validate valid', 'portcullis');
  const validBare = find('validate valid', 'bare');
  if (valid && validBare) {
    const r = valid.cpuUsPerReq / validBare.cpuUsPerReq;
    goals.push({ goal: `CPU per valid review <= ${GOALS.cpuRatio}x bare`, figure: `${r.toFixed(2)}x (${valid.cpuUsPerReq.toFixed(0)} vs ${validBare.cpuUsPerReq.toFixed(0)} µs)`, met: r <= GOALS.cpuRatio });
  } else notRun(`CPU per valid review <= ${GOALS.cpuRatio}x bare`, 'validate valid');

  for (const decision of ['allowed', 'denied']) {
    const name = `decision log, ${decision}`;
    const logOn = find(name, 'log info');
    const logOff = find(name, 'log error');
    if (!logOn || !logOff) {
      notRun(`decision log line cost per ${decision} review, stated`, name);
      continue;
    }
    const cost = logOn.cpuUsPerReq - logOff.cpuUsPerReq;
    goals.push({ goal: `decision log line: CPU per ${decision} review at info vs none, stated`, figure: `${cost.toFixed(0)} µs (${((cost / logOff.cpuUsPerReq) * 100).toFixed(0)}% of the review; ${logOn.cpuUsPerReq.toFixed(0)} vs ${logOff.cpuUsPerReq.toFixed(0)} µs); throughput ${(logOn.rps / logOff.rps).toFixed(2)}x` });
  }

  const iso = scenario('isolation');
  if (iso) {
    for (const target of ['portcullis', PEER_NAME, 'bare']) {
      const alone = iso.runs.find((r) => r.target === target);
      const mixed = iso.runs.find((r) => r.target === `${target} +1% 1 MiB`);
      if (!alone || !mixed || mixed.smallP99Ms === undefined) continue;
      const r = mixed.smallP99Ms / alone.p99Ms;
      const line: Goal = { goal: `${target}: small reviews' p99 with 1% 1 MiB reviews <= ${GOALS.isolationP99Ratio}x without`, figure: `${r.toFixed(2)}x (${mixed.smallP99Ms.toFixed(1)} vs ${alone.p99Ms.toFixed(1)} ms)` };
      if (target === 'portcullis') line.met = r <= GOALS.isolationP99Ratio;
      goals.push(line);
    }
  } else notRun('small reviews p99 with 1% 1 MiB reviews', 'isolation');

  const first = scenario('validate valid');
  const idleP = first?.idleRssMiB['portcullis'];
  const idleB = first?.idleRssMiB['bare'];
  if (idleP !== undefined && idleB !== undefined) {
    const r = idleP / idleB;
    goals.push({ goal: `idle RSS <= ${GOALS.idleRssRatio}x bare idle`, figure: `${r.toFixed(2)}x (${idleP.toFixed(0)} vs ${idleB.toFixed(0)} MiB)`, met: r <= GOALS.idleRssRatio });
  } else notRun('idle RSS', 'validate valid');
  if (valid && validBare) {
    const r = valid.rssMiB / validBare.rssMiB;
    goals.push({ goal: `peak RSS at 16 connections <= ${GOALS.peakRssRatio}x bare peak`, figure: `${r.toFixed(2)}x (${valid.rssMiB.toFixed(0)} vs ${validBare.rssMiB.toFixed(0)} MiB, valid reviews)`, met: r <= GOALS.peakRssRatio });
  }
  const policies = scenario('policies 10 vs 1000');
  const p10 = policies?.runs.find((r) => r.target === 'policies-10');
  const p1000 = policies?.runs.find((r) => r.target === 'policies-1000');
  if (policies && p10 && p1000) {
    const perThousand = (((policies.idleRssMiB['policies-1000'] ?? NaN) - (policies.idleRssMiB['policies-10'] ?? NaN)) * 1000) / 990;
    goals.push({ goal: 'RSS per 1,000 loaded policies, stated', figure: `${perThousand.toFixed(1)} MiB (idle, 1,000 vs 10 policies)` });
    const r = p1000.cpuUsPerReq / p10.cpuUsPerReq;
    goals.push({ goal: `1,000 policies cost <= ${GOALS.policyCostRatio}x the CPU per review of 10`, figure: `${r.toFixed(2)}x`, met: r <= GOALS.policyCostRatio });
  } else notRun('RSS per 1,000 policies', 'policies 10 vs 1000');

  const w1 = find('workers', 'workers 1');
  const w2 = find('workers', 'workers 2');
  const b1 = find('workers', 'bare');
  const b2 = find('workers', 'bare x2');
  if (w1 && w2) {
    // Throughput per CPU used: the load generator shares the two cores, so raw throughput can't double; per-core throughput shows whether the second worker adds its share.
    // (Throughput per CPU second is 1 / CPU per review.)
    const efficiency = w1.cpuUsPerReq / w2.cpuUsPerReq;
    const bareScaling = b1 && b2 ? b2.rps / b1.rps : undefined;
    const cores = (r: LoadResult) => (r.rps * r.cpuUsPerReq) / 1e6;
    goals.push({
      goal: `--workers 2 vs 1: throughput per CPU >= ${GOALS.workersEfficiency}x, gain >= 0.9x node:cluster's`,
      figure: `${efficiency.toFixed(2)}x; throughput ${(w2.rps / w1.rps).toFixed(2)}x on ${cores(w2).toFixed(2)} vs ${cores(w1).toFixed(2)} cores` + (b1 && b2 ? `; bare node:cluster ${(b2.rps / b1.rps).toFixed(2)}x on ${cores(b2).toFixed(2)} vs ${cores(b1).toFixed(2)} cores` : ''),
      // And the throughput gain at least 90% of what node:cluster gains on the same cores.
      met: efficiency >= GOALS.workersEfficiency && w2.rps / w1.rps >= 0.9 * (bareScaling ?? 1.8),
    });
  } else notRun('--workers scaling', 'workers');

  const conversion = find('convert 1000 objects', 'portcullis');
  if (conversion) goals.push({ goal: `1,000-object conversion p50 < ${GOALS.conversionMs} ms end to end`, figure: `${conversion.p50Ms.toFixed(2)} ms`, met: conversion.p50Ms < GOALS.conversionMs });
  else notRun('1,000-object conversion', 'convert 1000 objects');

  for (const name of ['validate valid', 'validate denied', 'mutate defaults', 'validate 1 MiB']) {
    const p = find(name, 'portcullis');
    const c = find(name, PEER_NAME);
    if (!p || !c) continue;
    goals.push({
      goal: `${name}: ahead of controller-runtime`,
      figure: `throughput ${(p.rps / c.rps).toFixed(2)}x, CPU ${(p.cpuUsPerReq / c.cpuUsPerReq).toFixed(2)}x, peak RSS ${(p.rssMiB / c.rssMiB).toFixed(2)}x, p99 ${(p.p99Ms / c.p99Ms).toFixed(2)}x`,
      met: p.rps >= c.rps && p.cpuUsPerReq <= c.cpuUsPerReq,
    });
  }
  return goals;
}

/** formatGoals prints the goal table: status (met, MISSED, stated, pending), goal, figure. */
export function formatGoals(goals: readonly Goal[]): string {
  const status = (g: Goal) => (g.pending ? 'pending' : g.met === undefined ? 'stated' : g.met ? 'met' : 'MISSED');
  const width = Math.max(...goals.map((g) => g.goal.length));
  return ['goals (issue 18):', ...goals.map((g) => `  ${status(g).padEnd(7)}  ${g.goal.padEnd(width)}  ${g.figure}`)].join('\n');
}
