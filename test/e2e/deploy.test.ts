/**
 * Deployment artefacts against a real kube-apiserver: the kustomize base and both overlays are
 * accepted object by object (`kubectl apply --dry-run=server -k`), and `serve --register`
 * registers working webhooks and the CRD conversion stanza itself, idempotently.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { clusterCopy, e2eSuite, loadCrds, mustSucceed, REPO_ROOT, startE2E, type E2EEnv } from './harness/index.js';

const NAMESPACE = 'portcullis-system';

/** dryRunLines runs a server-side dry-run apply of a kustomization and returns kubectl's per-object lines. */
async function dryRunApply(env: E2EEnv, dir: string): Promise<string[]> {
  const result = await env.kubectl(['apply', '--dry-run=server', `--namespace=${NAMESPACE}`, '-k', dir], { timeoutMs: 120_000 });
  assert.equal(result.code, 0, `kubectl apply --dry-run=server -k ${dir} failed:\n${result.stderr}`);
  assert.equal(result.stderr.replace(/^Warning: .*\n/gm, ''), '', 'no errors');
  return result.stdout.trim().split('\n');
}

/** renderedObjects counts the objects a kustomization renders (kubectl kustomize). */
async function renderedObjects(env: E2EEnv, dir: string): Promise<string[]> {
  const out = mustSucceed(await env.kubectl(['kustomize', dir]), `kustomize ${dir}`);
  return out.split(/^---$/m).map((doc) => {
    const kind = /^kind: (\S+)$/m.exec(doc)?.[1];
    const name = /^  name: (\S+)$/m.exec(doc)?.[1];
    return `${kind}/${name}`;
  });
}

function assertEveryObjectAccepted(lines: string[], objects: string[]): void {
  assert.equal(lines.length, objects.length, `one line per object:\n${lines.join('\n')}`);
  for (const line of lines) assert.match(line, /^\S+ (created|configured|unchanged) \(server dry run\)$/, line);
}

/** copyDeployTree copies manifests/ and overlays/ into a temporary folder (the overlays refer to ../../manifests). */
function copyDeployTree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-deploy-'));
  cpSync(join(REPO_ROOT, 'manifests'), join(dir, 'manifests'), { recursive: true });
  cpSync(join(REPO_ROOT, 'overlays'), join(dir, 'overlays'), { recursive: true });
  return dir;
}

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'main.js'), ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

await e2eSuite('deploying Portcullis to a real kube-apiserver', () => {
  let env: E2EEnv;
  let tree: string;

  before(async () => {
    // Our own CRDs must not be installed beforehand: the dry-run creates them. The harness's
    // server is not used here (register starts its own).
    env = await startE2E({ crds: 'test/fixtures/e2e/crds', policies: 'test/fixtures/e2e/policies', webhooks: false });
    // A server-side dry run creates nothing, so the namespaced objects need their namespace to exist.
    mustSucceed(await env.kubectl(['create', 'namespace', NAMESPACE, '--save-config']), 'create namespace');
    tree = copyDeployTree();
  });

  after(async () => {
    await env?.stop();
    if (tree) rmSync(tree, { recursive: true, force: true });
  });

  test('the base is accepted object by object: kubectl apply --dry-run=server -k manifests/', async () => {
    const dir = join(REPO_ROOT, 'manifests');
    const objects = await renderedObjects(env, dir);
    for (const expected of ['Namespace/portcullis-system', 'Deployment/portcullis-webhook', 'PodDisruptionBudget/portcullis-webhook', 'Service/portcullis-webhook', 'ServiceAccount/portcullis-webhook', 'ValidatingWebhookConfiguration/portcullis', 'MutatingWebhookConfiguration/portcullis', 'CustomResourceDefinition/crontabs.example.com']) {
      assert.ok(objects.includes(expected), `${expected} in ${objects.join(', ')}`);
    }
    assertEveryObjectAccepted(await dryRunApply(env, dir), objects);
  });

  test('the self-managed overlay with certificates from `portcullis certs` is accepted, every caBundle set', async () => {
    const certs = join(tree, 'overlays', 'self-managed', 'certs');
    const made = await runCli(['certs', '--out-dir', certs]);
    assert.equal(made.code, 0, made.stderr);
    const dir = join(tree, 'overlays', 'self-managed');
    const objects = await renderedObjects(env, dir);
    assert.ok(objects.includes('Secret/portcullis-webhook-tls'));
    const rendered = mustSucceed(await env.kubectl(['kustomize', dir]), 'kustomize');
    const caBundle = made.stdout.trim();
    assert.equal(rendered.split(`caBundle: ${caBundle}`).length - 1, 3, 'validating, mutating and the CRD conversion carry the CA');
    assertEveryObjectAccepted(await dryRunApply(env, dir), objects);
  });

  test('the cert-manager overlay is accepted where cert-manager CRDs are installed', async () => {
    for (const crd of ['certificates.yaml', 'issuers.yaml']) {
      mustSucceed(await env.kubectl(['apply', '--server-side', '-f', join(REPO_ROOT, 'test/fixtures/real-world-crds/cert-manager', crd)]), `install ${crd}`);
    }
    await env.eventually(async () => (await env.kubectl(['get', 'certificates.cert-manager.io', '-A'])).code === 0, 'cert-manager CRDs served');
    const dir = join(REPO_ROOT, 'overlays', 'cert-manager');
    const objects = await renderedObjects(env, dir);
    assert.ok(objects.includes('Certificate/portcullis-webhook') && objects.includes('Issuer/portcullis-selfsigned'));
    assertEveryObjectAccepted(await dryRunApply(env, dir), objects);
  });

  test('serve --register registers working webhooks and the conversion stanza, and registering again changes nothing', async () => {
    // Replace the harness's server with one that registers itself (same port and certificates).
    await env.stopWebhook();
    // Widgets with an open schema (so a denial can only be Portcullis's), CronTabs as shipped
    // (their conversion names a Service: registering a URL must replace it, not add to it).
    const [widgets] = loadCrds(join(REPO_ROOT, 'manifests/crds/widgets.yaml'));
    const [crontabsCrd] = loadCrds(join(REPO_ROOT, 'manifests/crds/crontabs.yaml'));
    const crds = { apiVersion: 'v1', kind: 'List', items: [clusterCopy(widgets!), clusterCopy(crontabsCrd!, { schemas: 'as-is' })] };
    mustSucceed(await env.kubectl(['apply', '--server-side', '-f', '-'], { input: crds }), 'install CRDs');
    mustSucceed(await env.kubectl(['wait', '--for=condition=Established', 'crd/widgets.demo.portcullis.dev', 'crd/crontabs.example.com']), 'CRDs established');
    const widget = { apiVersion: 'demo.portcullis.dev/v1', kind: 'Widget', metadata: { name: 'w-bad' }, spec: { image: 'UPPER CASE', replicas: 99 } };
    const unchecked = await env.kubectl(['apply', '--dry-run=server', '-f', '-'], { input: widget });
    assert.equal(unchecked.code, 0, `without the webhooks the open schema admits it: ${unchecked.stderr}`);
    const args = [
      join(REPO_ROOT, 'dist', 'main.js'), 'serve', '--host=127.0.0.1', `--port=${env.serverPort}`, `--cert-dir=${env.certDir}`, '--metrics-port=0',
      '--crds=manifests/crds', '--policies=test/fixtures/e2e/policies', '--register', `--url=https://127.0.0.1:${env.serverPort}`, `--kubeconfig=${env.kubeconfigPath}`,
    ];
    const start = async (): Promise<{ child: ChildProcess; logs: () => string }> => {
      const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let logs = '';
      child.stdout?.setEncoding('utf8').on('data', (c: string) => (logs += c));
      child.stderr?.setEncoding('utf8').on('data', (c: string) => (logs += c));
      await env.eventually(async () => {
        if (child.exitCode !== null) throw new Error(`serve exited ${child.exitCode}: ${logs}`);
        return (logs.match(/"msg":"registered"/g) ?? []).length === 3;
      }, 'registration', 60_000);
      return { child, logs: () => logs };
    };
    const stop = (child: ChildProcess) => new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });

    const first = await start();
    try {
      const get = async (what: string) => JSON.parse(mustSucceed(await env.kubectl(['get', what, '-o', 'json', '--show-managed-fields']), `get ${what}`)) as any;
      const ca = Buffer.from(readFileSync(join(env.certDir, 'ca.crt'))).toString('base64');
      const validating = await get('validatingwebhookconfiguration/portcullis');
      assert.equal(validating.webhooks[0].name, 'validate.portcullis.dev');
      assert.equal(validating.webhooks[0].clientConfig.url, `https://127.0.0.1:${env.serverPort}/validate`);
      assert.equal(validating.webhooks[0].clientConfig.caBundle, ca);
      assert.equal(validating.webhooks[0].failurePolicy, 'Fail');
      assert.deepEqual(validating.webhooks[0].admissionReviewVersions, ['v1', 'v1beta1']);
      const crontabs = await get('crd/crontabs.example.com');
      assert.equal(crontabs.spec.conversion.webhook.clientConfig.url, `https://127.0.0.1:${env.serverPort}/convert`);
      assert.equal(crontabs.spec.conversion.webhook.clientConfig.caBundle, ca);
      assert.equal(crontabs.spec.conversion.webhook.clientConfig.service, undefined, 'the Service of the CRD file was replaced');

      // The registered webhooks are live: the same Widget is now denied, by Portcullis (kubectl
      // prints a 422 as `The Widget "w-bad" is invalid: ...`, without the webhook's name).
      const denied = await env.eventually(async () => {
        const r = await env.kubectl(['apply', '--dry-run=server', '-f', '-'], { input: widget });
        if (r.code !== 0 && r.stderr.startsWith('The Widget "w-bad" is invalid: ')) return r.stderr;
        throw new Error(`exit ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
      }, 'the registered webhooks to deny an invalid Widget', 30_000);
      assert.match(denied, /spec\.replicas/);
      const generation = validating.metadata.generation as number;
      const resourceVersion = validating.metadata.resourceVersion as string;

      await stop(first.child);
      const second = await start();
      await stop(second.child);
      const again = await get('validatingwebhookconfiguration/portcullis');
      assert.equal(again.metadata.generation, generation, 'registering again does not change the configuration');
      assert.equal(again.metadata.resourceVersion, resourceVersion);
      const managers = (again.metadata.managedFields as { manager: string; operation: string }[]).map((f) => `${f.manager}/${f.operation}`);
      assert.deepEqual(managers, ['portcullis/Apply']);
    } finally {
      if (first.child.exitCode === null) first.child.kill('SIGKILL');
    }
  });
});
