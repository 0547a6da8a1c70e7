/**
 * Reload latency of the policy/CRD reloader (docs/deploy.md, "Policy and CRD
 * reload"): the time from a policy file replaced by rename (as an editor, a
 * `mv` or a ConfigMap swap does) to the new configuration in force, through
 * the folder watch with the default 300 ms debounce, over the shipped CRDs
 * and policies plus N generated ones. Reports; asserts nothing.
 *   node --import tsx test/bench/reload.ts [--policies N] [--rounds R]
 */
import { cp, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createConfigReloader } from '../../src/server/config-reloader.js';
import { policyDocuments } from './payloads.js';

const { values } = parseArgs({ options: { policies: { type: 'string' }, rounds: { type: 'string' } } });
const extra = Number(values.policies ?? 0);
const rounds = Number(values.rounds ?? 5);
const root = path.resolve(import.meta.dirname, '../..');
const work = await mkdtemp(path.join(tmpdir(), 'portcullis-reload-'));
try {
  const folder = path.join(work, 'policies');
  await cp(path.join(root, 'policies'), folder, { recursive: true });
  await Promise.all(policyDocuments(extra).map((doc, i) => writeFile(path.join(folder, `generated-${i}.yaml`), doc)));
  const file = path.join(folder, 'probe.yaml');
  const probe = (n: number) => `apiVersion: portcullis.dev/v1alpha1\nkind: AdmissionPolicy\nmetadata: {name: reload-probe-${n}}\nspec:\n  match:\n    resources: [{apiGroups: [demo.portcullis.dev], kinds: [Widget]}]\n  rules:\n    - name: label\n      metadata:\n        labels:\n          required: [{key: probe-${n}}]\n`;
  await writeFile(file, probe(0));
  const reloader = createConfigReloader({ sources: { crdPaths: [path.join(root, 'manifests/crds')], policyPaths: [folder] }, logger: pino({ level: 'silent' }), registry: new Registry(), resyncMs: 0 });
  const t0 = performance.now();
  await reloader.start();
  console.log(`node ${process.version}; ${reloader.current().policies.policies.length} policies; first load ${(performance.now() - t0).toFixed(0)} ms`);
  const inForce = (n: number) => reloader.current().policies.policies.some((p) => p.name === `reload-probe-${n}`);
  const latencies: number[] = [];
  for (let n = 1; n <= rounds; n++) {
    await writeFile(path.join(work, 'probe.yaml.tmp'), probe(n));
    const started = performance.now();
    await rename(path.join(work, 'probe.yaml.tmp'), file);
    while (!inForce(n)) await new Promise((r) => setTimeout(r, 5));
    latencies.push(performance.now() - started);
  }
  reloader.stop();
  latencies.sort((a, b) => a - b);
  console.log(`rename -> in force over ${rounds} renames: median ${latencies[Math.floor(rounds / 2)]?.toFixed(0)} ms, max ${latencies[rounds - 1]?.toFixed(0)} ms (debounce 300 ms + hash + load)`);
} finally {
  await rm(work, { recursive: true, force: true });
}
