/**
 * `portcullis manifests` against a real kube-apiserver: its output is what plain (client-side)
 * `kubectl apply -f -` accepts, and applying it leaves every CRD whole (group, names, versions)
 * with the conversion webhook set; applying it again changes nothing.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { e2eSuite, mustSucceed, REPO_ROOT, startE2E, type E2EEnv } from './harness/index.js';

const manifests = (args: string[]) => spawnSync(process.execPath, [join(REPO_ROOT, 'dist', 'main.js'), 'manifests', ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });

await e2eSuite('portcullis manifests with plain kubectl apply', () => {
  let env: E2EEnv;

  before(async () => {
    env = await startE2E({ crds: 'test/fixtures/e2e/crds', policies: 'test/fixtures/e2e/policies', webhooks: false });
  });

  after(async () => {
    await env?.stop();
  });

  test('client-side kubectl apply -f takes the output, and the CRDs keep their group, names and versions', async () => {
    mustSucceed(await env.kubectl(['apply', '-f', join(REPO_ROOT, 'manifests/crds/crontabs.yaml')]), 'install the CronTab CRD client-side, as a user would');
    const out = manifests(['--url', 'https://127.0.0.1:9443']);
    assert.equal(out.status, 0, out.stderr);
    const first = await env.kubectl(['apply', '-f', '-'], { input: out.stdout });
    assert.equal(first.code, 0, `kubectl apply -f - refused the output:\n${first.stderr}`);
    assert.match(first.stdout, /^customresourcedefinition\.apiextensions\.k8s\.io\/crontabs\.example\.com configured$/m);
    const crd = JSON.parse(mustSucceed(await env.kubectl(['get', 'crd', 'crontabs.example.com', '-o', 'json']), 'get crd')) as {
      spec: { group: string; names: { kind: string }; versions: { name: string }[]; conversion: { strategy: string; webhook: { clientConfig: { url: string } } } };
    };
    assert.equal(crd.spec.group, 'example.com');
    assert.equal(crd.spec.names.kind, 'CronTab');
    assert.ok(crd.spec.versions.length >= 2, 'every version is still there');
    assert.equal(crd.spec.conversion.strategy, 'Webhook');
    assert.equal(crd.spec.conversion.webhook.clientConfig.url, 'https://127.0.0.1:9443/convert');
    const again = await env.kubectl(['apply', '-f', '-'], { input: out.stdout });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /crontabs\.example\.com unchanged/);
  });

  test('serve --register warns on shutdown that its failurePolicy: Fail webhooks stay registered, in log lines with level names', async () => {
    await env.stopWebhook();
    const args = [
      join(REPO_ROOT, 'dist', 'main.js'), 'serve', '--host=127.0.0.1', `--port=${env.serverPort}`, `--cert-dir=${env.certDir}`, '--metrics-port=0',
      '--crds=manifests/crds', '--policies=test/fixtures/e2e/policies', '--register', `--url=https://127.0.0.1:${env.serverPort}`, `--kubeconfig=${env.kubeconfigPath}`,
    ];
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let logs = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (logs += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (logs += c));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await env.eventually(async () => {
      if (child.exitCode !== null) throw new Error(`serve exited ${child.exitCode}: ${logs}`);
      return (logs.match(/"msg":"registered"/g) ?? []).length === 3;
    }, 'registration', 60_000);
    child.kill('SIGTERM');
    assert.equal(await exited, 0, logs);
    const warning = logs.split('\n').filter((l) => l.includes('stay registered')).map((l) => JSON.parse(l) as Record<string, unknown>)[0];
    assert.ok(warning, logs);
    assert.equal(warning['level'], 'warn');
    assert.equal(warning['remove'], 'kubectl delete validatingwebhookconfiguration portcullis && kubectl delete mutatingwebhookconfiguration portcullis');
    mustSucceed(await env.kubectl(['get', 'validatingwebhookconfiguration', 'portcullis']), 'still registered, as the warning says');
  });
});
