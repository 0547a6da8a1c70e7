/**
 * Benchmark (not a test) of the companion controller: 1,000 Services of type
 * LoadBalancer are created at once against a real etcd + kube-apiserver (the
 * e2e harness's control plane, with a /16 service CIDR so 1,000 ClusterIPs
 * fit). It reports the time until all 1,000 LoadBalancerClaims exist and the
 * controller's API writes per object (its own counter, leases excluded), then
 * waits through a full resync and reports the writes that caused (goal: 0).
 *
 *   npm run build && node --import tsx test/bench/controller.ts [--count 1000] [--workers 2] [--resync 15s]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { resolveBinaries, REPO_ROOT } from '../e2e/harness/index.js';
import { startControlPlane } from '../e2e/harness/control-plane.js';
import { createKubectl, mustSucceed } from '../e2e/harness/kubectl.js';
import { freePort } from '../e2e/harness/net.js';
import { killAllSync, spawnManaged, stopWatchdog } from '../e2e/harness/processes.js';
import { createRestClient } from '../../src/controller/rest-client.js';
import type { ResourceRef } from '../../src/controller/api-client.js';

const { values } = parseArgs({
  options: { count: { type: 'string' }, workers: { type: 'string' }, resync: { type: 'string' }, concurrency: { type: 'string' } },
});
const COUNT = Number(values.count ?? 1000);
const WORKERS = values.workers ?? '2';
const RESYNC = values.resync ?? '15s';
const CONCURRENCY = Number(values.concurrency ?? 32);
const SERVICES: ResourceRef = { group: '', version: 'v1', resource: 'services', kind: 'Service', namespaced: true };
const CLAIMS: ResourceRef = { group: 'net.portcullis.dev', version: 'v1alpha1', resource: 'loadbalancerclaims', kind: 'LoadBalancerClaim', namespaced: false };

const log = (line: string): void => void process.stderr.write(`${new Date().toISOString().slice(11, 23)} ${line}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function writesByKind(port: number): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^portcullis_controller_api_writes_total\{verb="(\w+)",resource="([^"]+)"\} (\d+)/.exec(line);
    if (m && m[2] !== 'leases') out.set(`${m[1]} ${m[2]}`, Number(m[3]));
  }
  return out;
}
const total = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

async function main(): Promise<void> {
  const binaries = await resolveBinaries({ log });
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-bench-'));
  const cp = await startControlPlane({ binaries, dir: join(dir, 'cluster'), log, extraApiserverArgs: ['--service-cluster-ip-range=10.96.0.0/16'] });
  try {
    const kubectl = createKubectl({ binary: binaries.kubectl, kubeconfigPath: cp.kubeconfigPath, cacheDir: join(dir, 'kubectl-cache') });
    mustSucceed(await kubectl(['create', 'namespace', 'bench']), 'namespace bench');
    mustSucceed(await kubectl(['create', 'namespace', 'portcullis-system']), 'namespace portcullis-system');
    mustSucceed(await kubectl(['apply', '-f', join(REPO_ROOT, 'manifests/crds/loadbalancer-claims.yaml')]), 'CRD');
    mustSucceed(await kubectl(['wait', '--for=condition=Established', 'crd/loadbalancerclaims.net.portcullis.dev', '--timeout=30s']), 'CRD established');

    const metricsPort = await freePort();
    const controller = spawnManaged({
      name: 'controller',
      command: process.execPath,
      cwd: REPO_ROOT,
      args: [
        join(REPO_ROOT, 'dist/main.js'), 'controller', '--kubeconfig', cp.kubeconfigPath, '--bindings', 'policies/bindings',
        '--workers', WORKERS, '--resync', RESYNC, '--metrics-bind-address', `127.0.0.1:${metricsPort}`, '--log-level', 'info',
      ],
    });
    for (let i = 0; !controller.output().some((l) => l.includes('caches synced')); i++) {
      if (i > 600) throw new Error(`controller did not sync:\n${controller.output().join('\n')}`);
      await sleep(100);
    }
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfigPath);
    const client = createRestClient({ kubeConfig: kc });

    log(`creating ${COUNT} LoadBalancer Services (${CONCURRENCY} in flight), controller workers=${WORKERS}`);
    const t0 = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < COUNT; i = next++) {
          await client.create(SERVICES, {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { namespace: 'bench', name: `svc-${i}` },
            spec: { type: 'LoadBalancer', selector: { app: `a${i}` }, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }] },
          });
        }
      }),
    );
    const tCreated = Date.now() - t0;
    log(`all Services created after ${tCreated} ms`);
    let claims = 0;
    while (claims < COUNT) {
      await sleep(100);
      claims = (await client.list(CLAIMS)).items.length;
      if (Date.now() - t0 > 600_000) throw new Error(`only ${claims} claims after 10 min`);
    }
    const tAll = Date.now() - t0;
    await sleep(3000); // let trailing watch events settle
    const afterCreate = await writesByKind(metricsPort);
    log(`all ${COUNT} claims exist after ${tAll} ms`);

    const resyncMs = Number(/^(\d+)s$/.exec(RESYNC)?.[1] ?? 15) * 1000;
    log(`waiting ${resyncMs + 5000} ms for a full resync`);
    await sleep(resyncMs + 5000);
    const afterResync = await writesByKind(metricsPort);
    const failedReconciles = controller.output().filter((l) => l.includes('reconcile failed')).length;

    const report = {
      services: COUNT,
      workers: Number(WORKERS),
      servicesCreatedMs: tCreated,
      allClaimsExistMs: tAll,
      claimsPerSecond: Math.round((COUNT / tAll) * 1000),
      writesTotal: total(afterCreate),
      writesPerObject: Number((total(afterCreate) / COUNT).toFixed(3)),
      writesByKind: Object.fromEntries(afterCreate),
      writesDuringResync: total(afterResync) - total(afterCreate),
      failedReconciles,
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    await controller.stop();
  } finally {
    await cp.stop();
    killAllSync();
    stopWatchdog();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
