/**
 * Memory sizing of `portcullis serve` (docs/performance.md#memory): the
 * resident set per 1,000 loaded policies and per concurrent 1 MiB review,
 * and what --max-inflight-bytes does to the peak. Reports; asserts nothing.
 *   npm run build && node --import tsx test/bench/memory.ts [--seconds S]
 * Starts the built server (dist/main.js) several times on 127.0.0.1, each
 * load bounded to S seconds (default 5).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureDevCertificates } from '../../src/server/certificates.js';
import { admissionReview, bodyOf, largeWidget, policyDocuments } from './payloads.js';
import { startTarget } from './processes.js';
import type { Target } from './processes.js';
import { portcullisServer } from './scenarios.js';
import type { BenchContext } from './scenarios.js';

const { values } = parseArgs({ options: { seconds: { type: 'string' } } });
const seconds = Number(values.seconds ?? 5);
const root = path.resolve(import.meta.dirname, '../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function post(port: number, body: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/validate?timeout=10s', method: 'POST', rejectUnauthorized: false, agent: false, headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

// The settled resident set: the smallest of a few samples after start-up.
async function idleRss(target: Target): Promise<number> {
  await sleep(3000);
  let least = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++) {
    least = Math.min(least, target.rssMiB());
    await sleep(200);
  }
  return least;
}

/** load keeps `concurrency` 1 MiB reviews in flight for `seconds`; returns the peak RSS and the answers by status. */
async function load(target: Target, body: Buffer, concurrency: number): Promise<{ peak: number; statuses: Record<string, number> }> {
  const statuses: Record<string, number> = {};
  let peak = target.rssMiB();
  const until = Date.now() + seconds * 1000;
  const sampler = setInterval(() => (peak = Math.max(peak, target.rssMiB())), 50);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        const status = await post(target.port, body);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  clearInterval(sampler);
  return { peak: Math.max(peak, target.rssMiB()), statuses };
}

const work = await mkdtemp(path.join(tmpdir(), 'portcullis-memory-'));
try {
  const certDir = path.join(work, 'certs');
  await ensureDevCertificates(certDir);
  const context: BenchContext = { root, work, certDir, logLevel: 'warn', peers: [], serveHelp: '', nodeFlags: [] };
  const started: Target[] = [];
  const start = async (name: string, policies: string[], extra: string[] = []) => {
    const target = await startTarget(portcullisServer(context, { name, policies, extra }));
    started.push(target);
    return target;
  };

  console.log(`node ${process.version}; RSS in MiB (VmRSS of the server process)`);
  const perCount: Record<number, number> = {};
  for (const count of [10, 1000, 2000, 4000]) {
    const dir = path.join(work, `policies-${count}`);
    await mkdir(dir);
    await Promise.all(policyDocuments(count).map((doc, i) => writeFile(path.join(dir, `p${i}.yaml`), doc)));
    const target = await start(`policies-${count}`, [dir]);
    perCount[count] = await idleRss(target);
    await target.stop();
    console.log(`idle, ${count} policies: ${perCount[count]?.toFixed(1)}`);
  }
  const per1000 = (from: number, to: number) => ((((perCount[to] as number) - (perCount[from] as number)) / (to - from)) * 1000).toFixed(1);
  console.log(`RSS per 1,000 policies: ${per1000(10, 1000)} MiB (10 -> 1,000), ${per1000(1000, 2000)} (1,000 -> 2,000), ${per1000(2000, 4000)} (2,000 -> 4,000), ${per1000(10, 4000)} (10 -> 4,000)`);

  const body = bodyOf(admissionReview(largeWidget(1024 * 1024)));
  console.log(`review body: ${(body.length / 1048576).toFixed(2)} MiB`);
  const unbounded = await start('unbounded', [path.join(root, 'policies')], ['--max-inflight-bytes', '8Gi']);
  const idle = await idleRss(unbounded);
  console.log(`idle, shipped policies: ${idle.toFixed(1)}`);
  for (const concurrency of [1, 4, 16, 64]) {
    const { peak, statuses } = await load(unbounded, body, concurrency);
    console.log(`${concurrency} concurrent 1 MiB reviews, no bound: peak ${peak.toFixed(1)}, +${((peak - idle) / concurrency).toFixed(1)} MiB per review in flight; answers ${JSON.stringify(statuses)}`);
  }
  await unbounded.stop();

  const bounded = await start('bounded', [path.join(root, 'policies')]);
  const idleBounded = await idleRss(bounded);
  for (const concurrency of [16, 64]) {
    const { peak, statuses } = await load(bounded, body, concurrency);
    console.log(`${concurrency} concurrent 1 MiB reviews, default --max-inflight-bytes (32Mi): peak ${peak.toFixed(1)} (idle ${idleBounded.toFixed(1)}); answers ${JSON.stringify(statuses)}`);
  }
  await bounded.stop();
  for (const target of started) await target.stop();
} finally {
  await rm(work, { recursive: true, force: true });
}
