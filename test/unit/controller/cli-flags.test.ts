import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { UsageError } from '../../../src/cli/args.js';
import { CONTROLLER_USAGE, createControllerFromFlags } from '../../../src/cli/controller.js';
import { ClusterConfigError, loadClusterConfig } from '../../../src/controller/cluster-config.js';

const MAIN = resolve('dist/main.js');
const temp = (): string => mkdtempSync(join(tmpdir(), 'pcl-ctl-'));

function kubeconfigFile(): string {
  const path = join(temp(), 'kubeconfig');
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:1' } }],
      users: [{ name: 'u', user: { token: 't' } }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    }),
  );
  return path;
}

/** run starts the built binary with exactly the given environment (no KUBECONFIG, no in-cluster variables unless set). */
function run(args: string[], env: Record<string, string>): { status: number | null; stderr: string } {
  const res = spawnSync(process.execPath, [MAIN, 'controller', ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 });
  return { status: res.status, stderr: res.stderr };
}

const deps = { logger: pino({ level: 'silent' }), registry: new Registry() };

test('usage documents the leader election defaults and the exit statuses', () => {
  for (const text of ['--leader-elect-lease-duration D    (default 15s)', '(default 10s)', '(default 2s;', '--kubeconfig', '/readyz', 'Exit status']) {
    assert.ok(CONTROLLER_USAGE.includes(text), text);
  }
});

test('lease durations are Go durations above zero, checked as client-go does', async () => {
  const kubeconfig = kubeconfigFile();
  await assert.rejects(createControllerFromFlags({ kubeconfig, 'leader-elect-retry-period': '0' }, deps), (e: unknown) => e instanceof UsageError && /--leader-elect-retry-period must be greater than zero/.test((e as Error).message));
  await assert.rejects(createControllerFromFlags({ kubeconfig, 'leader-elect-retry-period': '2' }, deps), /must be a duration like/);
  await assert.rejects(createControllerFromFlags({ kubeconfig, 'leader-elect-renew-deadline': '2s' }, deps), /renew deadline \(2000 ms\) must be greater than 1\.2 x retry period \(2000 ms\)/);
  const ok = await createControllerFromFlags({ kubeconfig, 'leader-elect-lease-duration': '1m30s', 'leader-elect-renew-deadline': '1m', resync: '0' }, deps);
  assert.equal(ok.isLeader(), false, 'built, not started');
  const off = await createControllerFromFlags({ kubeconfig, 'leader-elect': false, 'leader-elect-retry-period': '0s' }, deps);
  assert.equal(off.isLeader(), false, 'lease flags are not checked without leader election');
});

test('no cluster configuration is one error naming every source tried', () => {
  const home = temp();
  assert.throws(
    () => loadClusterConfig({ env: {}, home, root: home }),
    (e: unknown) =>
      e instanceof ClusterConfigError &&
      e.code === 'PCL_ERR_CLUSTER_CONFIG' &&
      e.message.includes('--kubeconfig (not given)') &&
      e.message.includes('KUBECONFIG (not set)') &&
      e.message.includes(join(home, '.kube', 'config')) &&
      e.message.includes('in-cluster config (KUBERNETES_SERVICE_HOST is not set)'),
  );
  assert.throws(() => loadClusterConfig({ env: { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' }, home, root: home }), /serviceaccount\/token does not exist/);
  assert.throws(() => loadClusterConfig({ env: { KUBECONFIG: join(home, 'nope') }, home }), /KUBECONFIG names .*nope, and none of them is a readable file/);
  assert.throws(() => loadClusterConfig({ kubeconfig: home, env: {} }), /--kubeconfig names .* which is not a readable file/);
  mkdirSync(join(home, '.kube'));
  writeFileSync(join(home, '.kube', 'config'), 'clusters: [}');
  assert.throws(() => loadClusterConfig({ env: {}, home }), (e: unknown) => e instanceof ClusterConfigError && /~\/\.kube\/config: /.test((e as Error).message));
});

test('the KUBECONFIG list, ~/.kube/config and the in-cluster mount are found in that order', () => {
  const home = temp();
  const listed = kubeconfigFile();
  assert.equal(loadClusterConfig({ env: { KUBECONFIG: `${join(home, 'missing')}:${listed}` }, home }).getCurrentCluster()?.server, 'https://127.0.0.1:1');
  const root = temp();
  mkdirSync(join(root, 'var/run/secrets/kubernetes.io/serviceaccount'), { recursive: true });
  writeFileSync(join(root, 'var/run/secrets/kubernetes.io/serviceaccount/token'), 'sa-token');
  const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
  process.env.KUBERNETES_SERVICE_HOST = '10.96.0.1';
  process.env.KUBERNETES_SERVICE_PORT = '443';
  try {
    const kc = loadClusterConfig({ env: process.env, home, root });
    assert.equal(kc.getCurrentCluster()?.server, 'https://10.96.0.1:443');
  } finally {
    if (saved.host === undefined) delete process.env.KUBERNETES_SERVICE_HOST;
    else process.env.KUBERNETES_SERVICE_HOST = saved.host;
    if (saved.port === undefined) delete process.env.KUBERNETES_SERVICE_PORT;
    else process.env.KUBERNETES_SERVICE_PORT = saved.port;
  }
});

test('portcullis controller without any cluster configuration prints one line naming the sources and exits 2', () => {
  const home = temp();
  const r = run([], { HOME: home });
  assert.equal(r.status, 2, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^portcullis controller: no cluster configuration found; tried --kubeconfig \(not given\), KUBECONFIG \(not set\), .*\.kube\/config \(not found\), in-cluster config \(KUBERNETES_SERVICE_HOST is not set\)$/);
});

test('portcullis controller refuses to start with a binding whose CEL filter does not compile (exit 2, file named)', () => {
  const dir = temp();
  writeFileSync(
    join(dir, 'bad.yaml'),
    [
      'apiVersion: portcullis.dev/v1alpha1',
      'kind: ControllerBinding',
      'metadata: { name: bad }',
      'spec:',
      '  source: { apiVersion: v1, kind: Service, resource: services }',
      '  target: { apiVersion: x.dev/v1, kind: Thing }',
      "  filter: { cel: \"object.spec.type == \" }",
    ].join('\n'),
  );
  const r = run(['--bindings', dir, '--kubeconfig', kubeconfigFile()], { HOME: temp() });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^portcullis controller: bad\.yaml: binding bad: spec\.filter\.cel: compiling CEL expression/);
});

test('loadClusterConfig with --context uses that context of the kubeconfig, and names the contexts there are for an unknown one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-context-'));
  const file = join(dir, 'config');
  const cluster = (name: string, server: string) => ({ name, cluster: { server } });
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [cluster('a', 'https://a.example:6443'), cluster('b', 'https://b.example:6443')],
      users: [{ name: 'u', user: { token: 't' } }],
      contexts: [{ name: 'ctx-a', context: { cluster: 'a', user: 'u' } }, { name: 'ctx-b', context: { cluster: 'b', user: 'u' } }],
      'current-context': 'ctx-a',
    }),
  );
  assert.equal(loadClusterConfig({ kubeconfig: file, env: {} }).getCurrentCluster()?.server, 'https://a.example:6443');
  assert.equal(loadClusterConfig({ kubeconfig: file, context: 'ctx-b', env: {} }).getCurrentCluster()?.server, 'https://b.example:6443');
  assert.throws(
    () => loadClusterConfig({ kubeconfig: file, context: 'ctx-c', env: {} }),
    (err: Error) => err instanceof ClusterConfigError && /--context ctx-c: the kubeconfig has no such context \(it has: ctx-a, ctx-b\)/.test(err.message),
  );
});
