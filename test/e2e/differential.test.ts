/**
 * Differential test: Portcullis's schema validation and defaulting against
 * the real kube-apiserver, on real-world CRDs (Gateway API, cert-manager,
 * prometheus-operator). Each generated object goes to the apiserver as a
 * dry-run create (CRD installed as-is, no webhook) and to the in-process
 * /mutate handler; verdicts, error field paths, defaulted specs and
 * unknown-field warnings must agree. The agreement rate is printed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { resolveBinaries } from './harness/binaries.js';
import { startControlPlane, type ControlPlane } from './harness/control-plane.js';
import { installCrds, loadCrds as loadHarnessCrds } from './harness/crds.js';
import { e2eSuite, REPO_ROOT } from './harness/index.js';
import { createKubectl, mustSucceed } from './harness/kubectl.js';
import { loadRuntimeConfig, type RuntimeConfig } from '../../src/server/admission-runtime.js';
import { createDryRunClient, type DryRunClient } from './differential/apiserver-client.js';
import { runDifferential, type CaseResult } from './differential/run-differential.js';
import { runUpdates } from './differential/run-updates.js';
import { runClientShapes } from './differential/run-client-shapes.js';
import { runTargeted } from './differential/targeted-cases.js';
import type { CustomResourceDefinition } from '../../src/schema/crd.js';
import type { Kubectl } from './harness/kubectl.js';

const REAL_WORLD = resolve(REPO_ROOT, 'test/fixtures/real-world-crds');
const SYNTHETIC = resolve(REPO_ROOT, 'test/fixtures/differential-crds');
const PUBLIC = join(SYNTHETIC, 'public/gateway-api');
const CRD_FOLDERS = [...['gateway-api', 'cert-manager', 'prometheus-operator'].map((f) => join(REAL_WORLD, f)), SYNTHETIC, PUBLIC];
/** CLIENT_SHAPES generated objects per CRD for the real-client cases (typed clients, server-side apply, /status, /scale). */
const CLIENT_SHAPES = Number(process.env.PORTCULLIS_DIFF_CLIENT_SHAPES ?? 3);
/** PER_VERSION generated objects per served version, each with one broken variant. */
const PER_VERSION = Number(process.env.PORTCULLIS_DIFF_PER_VERSION ?? 12);
const SEED = Number(process.env.PORTCULLIS_DIFF_SEED ?? 20261127);
/** UPDATE_COUNT objects are stored under an open schema and each updated four ways once it is strict. */
const UPDATE_COUNT = Number(process.env.PORTCULLIS_DIFF_UPDATES ?? 24);
/** ONLY restricts the run to CRDs whose name contains it (for exploring; the default runs all). */
const ONLY = process.env.PORTCULLIS_DIFF_ONLY ?? '';

/**
 * dialCrd is the Widget CRD under another name with the status and scale
 * subresources (scale on `spec.options.level`, 1..5), for /status and /scale
 * cases: none of the real-world CRDs has a scale subresource.
 */
function dialCrd(widget: CustomResourceDefinition): CustomResourceDefinition {
  const dial = structuredClone(widget);
  dial.metadata = { name: `dials.${widget.spec.group}` };
  dial.spec.names = { kind: 'Dial', plural: 'dials', singular: 'dial', listKind: 'DialList' };
  for (const v of dial.spec.versions) {
    const root = v.schema?.openAPIV3Schema;
    if (root?.properties) root.properties['status'] = { type: 'object', properties: { replicas: { type: 'integer', minimum: 0 }, selector: { type: 'string' }, phase: { type: 'string', enum: ['Pending', 'Ready'] } } };
    v.subresources = { status: {}, scale: { specReplicasPath: '.spec.options.level', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' } };
  }
  return dial;
}

function report(results: readonly CaseResult[]): string {
  const agreed = results.filter((r) => r.differences.length === 0).length;
  const wording = results.filter((r) => !r.apiserver.allowed && !r.ours.allowed);
  const sameWords = wording.filter((r) => JSON.stringify(r.apiserver.causes) === JSON.stringify(r.ours.causes)).length;
  const unexplained = wording.filter((r) => JSON.stringify(r.apiserver.causes) !== JSON.stringify(r.ours.causes));
  const lines = [
    `differential: ${agreed}/${results.length} objects agree (${((100 * agreed) / results.length).toFixed(1)}%); ` +
      `${results.filter((r) => r.apiserver.allowed).length} accepted and ${results.filter((r) => !r.apiserver.allowed).length} rejected by the apiserver; ` +
      `same cause messages on ${sameWords}/${wording.length} common denials (seed ${SEED})`,
  ];
  for (const r of results.filter((x) => x.differences.length > 0).slice(0, 30)) {
    lines.push(`  DISAGREE ${r.crd} ${r.version} [${r.variant}] ${r.differences.join(',')}`);
    lines.push(`    apiserver: ${r.apiserver.allowed ? 'allowed' : `${r.apiserver.status} ${r.apiserver.causes.join(' | ').slice(0, 600) || r.apiserver.message.slice(0, 600)}`}`);
    lines.push(`    portcullis: ${r.ours.allowed ? 'allowed' : r.ours.causes.join(' | ').slice(0, 600)}`);
    if (r.differences.includes('defaults')) lines.push(`    spec: ${JSON.stringify(r.apiserver.spec).slice(0, 300)} vs ${JSON.stringify(r.ours.spec).slice(0, 300)}`);
    if (r.differences.includes('unknown-fields')) lines.push(`    unknown: ${r.apiserver.unknownFields.join(',')} vs ${r.ours.unknownFields.join(',')}`);
  }
  for (const r of unexplained.slice(0, 10)) {
    lines.push(`  WORDING ${r.crd} ${r.version} [${r.variant}]`);
    lines.push(`    apiserver:  ${r.apiserver.causes.join(' | ').slice(0, 1500)}`);
    lines.push(`    portcullis: ${r.ours.causes.join(' | ').slice(0, 1500)}`);
  }
  return lines.join('\n');
}

await e2eSuite('differential: schema semantics against the real kube-apiserver', () => {
  let dir: string;
  let controlPlane: ControlPlane | undefined;
  let client: DryRunClient | undefined;
  let runtime: RuntimeConfig;
  let kubectl: Kubectl;
  const log = (line: string) => process.stderr.write(`${line}\n`);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'portcullis-diff-'));
    const binaries = await resolveBinaries({ log });
    controlPlane = await startControlPlane({ binaries, dir: join(dir, 'cluster'), log });
    kubectl = createKubectl({ binary: binaries.kubectl, kubeconfigPath: controlPlane.kubeconfigPath, cacheDir: join(dir, 'kubectl-cache') });
    mustSucceed(await kubectl(['create', 'namespace', 'diff']), 'create namespace');
    const dialFile = join(dir, 'dials.yaml');
    writeFileSync(dialFile, stringify(dialCrd(loadHarnessCrds(join(SYNTHETIC, 'widgets.yaml'))[0] as unknown as CustomResourceDefinition)));
    const crds = [...CRD_FOLDERS, dialFile].flatMap((f) => loadHarnessCrds(f));
    await installCrds(kubectl, crds, { schemas: 'as-is' });
    runtime = await loadRuntimeConfig({ crdPaths: [REAL_WORLD, SYNTHETIC, dialFile], policyPaths: [] });
    client = createDryRunClient({ apiserverUrl: controlPlane.apiserverUrl, token: controlPlane.adminToken, ca: controlPlane.apiserverCa });
  });

  test('Portcullis agrees with the apiserver on UPDATE: ratcheting and transition rules', { timeout: 170_000 }, async () => {
    const widget = runtime.crds.crds.find((c) => c.spec.names.kind === 'Widget') as CustomResourceDefinition;
    const gizmo = structuredClone(widget);
    gizmo.metadata.name = `gizmos.${widget.spec.group}`;
    gizmo.spec.names = { kind: 'Gizmo', plural: 'gizmos', singular: 'gizmo', listKind: 'GizmoList' };
    const api = client as DryRunClient;
    const apply = async (crd: CustomResourceDefinition, open: boolean): Promise<void> => {
      mustSucceed(await kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager=diff', '-f', '-'], { input: crd }), 'apply CRD');
      mustSucceed(await kubectl(['wait', '--for=condition=Established', '--timeout=60s', `crd/${crd.metadata.name}`]), 'wait for CRD');
      // The apiserver swaps a CRD's schema asynchronously: wait until a bad object meets the intended schema.
      const probe = { apiVersion: `${crd.spec.group}/v1`, kind: 'Gizmo', metadata: { name: 'probe', namespace: 'diff' }, spec: { size: 'huge' } };
      const deadline = Date.now() + 30_000;
      while ((await api.create(`/apis/${crd.spec.group}/v1/namespaces/diff/gizmos`, probe)).status !== (open ? 201 : 422)) {
        if (Date.now() > deadline) throw new Error('the CRD schema change did not take effect');
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    const results = await runUpdates({ crd: gizmo, client: api, namespace: 'diff', apply, count: UPDATE_COUNT, seed: SEED });
    console.log(report(results));
    assert.ok(results.length >= 3 * UPDATE_COUNT, `only ${results.length} updates were compared`);
    assert.ok(results.some((r) => r.apiserver.allowed) && results.some((r) => !r.apiserver.allowed), 'the run must include accepted and rejected updates');
    assert.deepEqual(results.filter((r) => r.differences.length > 0).map((r) => `${r.variant} ${r.differences.join(',')}`), []);
  });

  test('Portcullis agrees with the apiserver on what real clients send: typed-client shapes, server-side apply, main-resource, /status and /scale updates', { timeout: 170_000 }, async () => {
    const started = Date.now();
    const results = await runClientShapes({
      crds: runtime.crds.crds.filter((c) => c.spec.names.kind !== 'Widget' && (ONLY === '' || c.metadata.name.includes(ONLY))),
      runtime,
      client: client as DryRunClient,
      namespace: 'diff',
      perCrd: CLIENT_SHAPES,
      seed: SEED,
      minimalSpecs: { Dial: { size: 'small' } },
    });
    console.log(`${report(results)}\n  (${results.length} client-shaped requests in ${Date.now() - started} ms)`);
    for (const kind of ['typed create', 'server-side apply', 'typed main-resource update', '/status update', '/scale update']) {
      assert.ok(results.some((r) => r.variant.startsWith(kind)), `no ${kind} case ran`);
    }
    assert.ok(results.some((r) => r.apiserver.allowed) && results.some((r) => !r.apiserver.allowed), 'the run must include accepted and rejected requests');
    assert.deepEqual(results.filter((r) => r.differences.length > 0).map((r) => `${r.crd} ${r.version} [${r.variant}] ${r.differences.join(',')}`), []);
  });

  test('Portcullis agrees with the apiserver on targeted cases: every format, dropped nulls, pruned keys', { timeout: 120_000 }, async () => {
    const results = await runTargeted({ runtime, client: client as DryRunClient, namespace: 'diff' });
    console.log(report(results));
    assert.ok(results.length >= 100, `only ${results.length} targeted cases`);
    assert.ok(results.some((r) => r.apiserver.allowed) && results.some((r) => !r.apiserver.allowed), 'the run must include accepted and rejected cases');
    assert.deepEqual(results.filter((r) => r.differences.length > 0).map((r) => `[${r.variant}] ${r.differences.join(',')}`), []);
  });

  after(async () => {
    client?.close();
    await controlPlane?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('Portcullis agrees with the apiserver on generated objects of real-world CRDs', { timeout: 170_000 }, async () => {
    const started = Date.now();
    const results = await runDifferential({
      crds: runtime.crds.crds.filter((c) => c.spec.names.kind !== 'Dial' && (ONLY === '' || c.metadata.name.includes(ONLY))),
      runtime,
      client: client as DryRunClient,
      namespace: 'diff',
      perVersion: PER_VERSION,
      seed: SEED,
    });
    console.log(`${report(results)}\n  (${results.length} objects in ${Date.now() - started} ms)`);
    assert.ok(ONLY !== '' || results.length >= 250, `only ${results.length} objects were generated`);
    assert.ok(results.some((r) => r.apiserver.allowed) && results.some((r) => !r.apiserver.allowed), 'the run must include accepted and rejected objects');
    const disagreements = results.filter((r) => r.differences.length > 0);
    assert.deepEqual(disagreements.map((r) => `${r.crd} ${r.version} [${r.variant}] ${r.differences.join(',')}`), []);
  });
});
