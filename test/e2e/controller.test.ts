/**
 * The companion controller against a real etcd + kube-apiserver: `portcullis controller`
 * processes (dist/main.js) run with the shipped binding, CRD and least-privilege RBAC (their
 * kubeconfig impersonates the controller's ServiceAccount, so a missing permission fails the
 * suite). The LoadBalancerClaim CRs also pass through `portcullis serve` as a webhook.
 * Leader election uses short durations (lease 4 s, renew deadline 3 s, retry 1 s).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse, stringify } from 'yaml';
import { e2eSuite, REPO_ROOT, startE2E, type E2EEnv } from './harness/index.js';
import { freePort } from './harness/net.js';
import { spawnManaged, type ManagedProcess } from './harness/processes.js';

const LEASE = { duration: 4000, renewDeadline: 3000, retry: 1000 };
/** JITTER is 1 + client-go's JitterFactor: a candidate waits up to 2.2 retry periods between attempts. */
const JITTER = 2.2;
const SA = 'system:serviceaccount:portcullis-system:portcullis-controller';

interface ControllerProc {
  proc: ManagedProcess;
  identity: string;
  metricsPort: number;
}

await e2eSuite('companion controller through a real kube-apiserver', () => {
  let env: E2EEnv;
  let kubeconfig: string;
  const procs: ControllerProc[] = [];

  const kubectlJson = async (args: string[]): Promise<Record<string, any> | undefined> => {
    const r = await env.kubectl([...args, '-o', 'json']);
    return r.code === 0 ? JSON.parse(r.stdout) : undefined;
  };
  const claim = (name: string) => kubectlJson(['get', 'loadbalancerclaim', name]);
  const svc = (name: string) => kubectlJson(['get', 'service', name]);
  const leaseHolder = async (): Promise<string> =>
    (await kubectlJson(['-n', 'portcullis-system', 'get', 'lease', 'portcullis-controller']))?.spec?.holderIdentity ?? '';

  const apply = async (obj: object): Promise<void> => {
    const r = await env.kubectl(['apply', '-f', '-'], { input: obj });
    assert.equal(r.code, 0, r.stderr);
  };
  const lbService = (name: string, port = 80, type = 'LoadBalancer') => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: env.namespace },
    spec: { type, selector: { app: name }, ports: [{ name: 'http', port, protocol: 'TCP', targetPort: 8080 }] },
  });

  async function startController(identity: string, bindingsDir = 'policies/bindings'): Promise<ControllerProc> {
    const metricsPort = await freePort();
    const proc = spawnManaged({
      name: `controller-${identity}`,
      command: process.execPath,
      cwd: REPO_ROOT,
      args: [
        process.env.PORTCULLIS_E2E_MAIN ?? join(REPO_ROOT, 'dist/main.js'),
        'controller',
        '--kubeconfig', kubeconfig,
        '--bindings', bindingsDir,
        '--identity', identity,
        '--leader-elect-lease-duration', `${LEASE.duration}ms`,
        '--leader-elect-renew-deadline', `${LEASE.renewDeadline}ms`,
        '--leader-elect-retry-period', `${LEASE.retry}ms`,
        '--resync', '5s',
        '--metrics-bind-address', `127.0.0.1:${metricsPort}`,
        '--log-level', 'debug',
      ],
    });
    const c = { proc, identity, metricsPort };
    procs.push(c);
    return c;
  }

  const standingBy = (c: ControllerProc): boolean => c.proc.output().some((l) => l.includes('standing by'));
  const synced = (c: ControllerProc): boolean => c.proc.output().some((l) => l.includes('caches synced'));
  const reconciledLines = (c: ControllerProc): number => c.proc.output().filter((l) => l.includes('"msg":"reconciled"')).length;

  async function writes(c: ControllerProc): Promise<number> {
    const res = await fetch(`http://127.0.0.1:${c.metricsPort}/metrics`);
    const text = await res.text();
    let sum = 0;
    for (const line of text.split('\n')) {
      const m = /^portcullis_controller_api_writes_total\{verb="(\w+)",resource="([^"]+)"\} (\d+)/.exec(line);
      if (m && m[2] !== 'leases') sum += Number(m[3]);
    }
    return sum;
  }

  const leaderLog = (): string =>
    procs
      .flatMap((c) => c.proc.output().filter((l) => /lease|leader|shutting|stopped|synced/.test(l)).map((l) => `[${c.identity}] ${l}`))
      .join('\n');
  const diag = (): string => `${env.diagnostics()}\n--- controllers ---\n${procs.map((c) => `[${c.identity}]\n${c.proc.output().slice(-40).join('\n')}`).join('\n')}`;

  before(async () => {
    env = await startE2E({ crds: 'manifests/crds', policies: 'policies', failurePolicy: 'Fail' });
    const ns = await env.kubectl(['create', 'namespace', 'portcullis-system']);
    assert.equal(ns.code, 0, ns.stderr);
    const rbac = await env.kubectl(['apply', '-n', 'portcullis-system', '-f', join(REPO_ROOT, 'manifests/rbac')]);
    assert.equal(rbac.code, 0, rbac.stderr);
    // The controller acts as its ServiceAccount: the suite fails if the ClusterRole misses a verb.
    const config = parse(await readFile(env.kubeconfigPath, 'utf8')) as { users: Array<{ user: Record<string, unknown> }> };
    for (const u of config.users) u.user.as = SA;
    kubeconfig = `${env.kubeconfigPath}.controller`;
    await writeFile(kubeconfig, stringify(config));
  });
  after(async () => {
    await Promise.all(procs.map((c) => c.proc.stop()));
    await env?.stop();
  });

  test('the leader elected, a LoadBalancer Service gets its claim with the Service spec and a finalizer', async () => {
    const a = await startController('a');
    await env.eventually(async () => (await leaseHolder()) === 'a', 'controller a holds the lease', 20_000);
    await env.eventually(async () => synced(a), 'controller a synced its caches', 20_000).catch((e) => assert.fail(`${e}\n${diag()}`));
    await apply(lbService('web'));
    const cr = await env
      .eventually(async () => (await claim(`${env.namespace}.web`)) ?? false, 'claim e2e.web exists')
      .catch((e) => assert.fail(`${e}\n${diag()}`));
    const s = await svc('web');
    assert.deepEqual(cr.spec, {
      serviceNamespace: env.namespace,
      serviceName: 'web',
      // nodePort is allocated by the apiserver and copied like the rest of spec.ports.
      ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080, nodePort: s?.spec.ports[0].nodePort }],
    });
    assert.equal(cr.metadata.labels['portcullis.dev/binding'], 'loadbalancer-claims');
    assert.equal(cr.metadata.labels['portcullis.dev/source-namespace'], env.namespace);
    assert.equal(cr.metadata.labels['portcullis.dev/source-name'], 'web');
    assert.equal(cr.metadata.annotations['portcullis.dev/source'], `${env.namespace}/web`);
    assert.deepEqual(s?.metadata.finalizers, ['portcullis.dev/loadbalancer-claims']);
  });

  test('writing the claim status puts the address on the Service', async () => {
    const r = await env.kubectl([
      'patch', 'loadbalancerclaim', `${env.namespace}.web`, '--subresource=status', '--type=merge',
      '-p', JSON.stringify({ status: { ingress: [{ ip: '192.0.2.10' }] } }),
    ]);
    assert.equal(r.code, 0, r.stderr);
    const ingress = await env.eventually(async () => {
      const s = await svc('web');
      return s?.status?.loadBalancer?.ingress ?? false;
    }, 'Service status.loadBalancer.ingress');
    // The apiserver defaults ipMode; the controller must not fight it (see the steady-state test).
    assert.deepEqual(ingress, [{ ip: '192.0.2.10', ipMode: 'VIP' }]);
    const wide = await env.kubectl(['get', 'service', 'web']);
    assert.match(wide.stdout, /192\.0\.2\.10/, 'EXTERNAL-IP column shows the address');
  });

  test('changing the Service updates the claim', async () => {
    await apply(lbService('web', 8443));
    await env.eventually(async () => (await claim(`${env.namespace}.web`))?.spec?.ports?.[0]?.port === 8443, 'claim ports updated');
  });

  test('kubectl describe service shows the controller events', async () => {
    const d = await env.kubectl(['describe', 'service', 'web']);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /Normal\s+Created\s+.*portcullis-controller\s+created LoadBalancerClaim e2e\.web/);
    assert.match(d.stdout, /StatusReflected/);
  });

  test('a ClusterIP Service makes nothing', async () => {
    await apply(lbService('internal', 80, 'ClusterIP'));
    await apply(lbService('marker'));
    // Once the later LoadBalancer Service has its claim, the ClusterIP one was surely seen.
    await env.eventually(async () => (await claim(`${env.namespace}.marker`)) ?? false, 'marker claim exists');
    assert.equal(await claim(`${env.namespace}.internal`), undefined);
    assert.equal((await svc('internal'))?.metadata.finalizers, undefined);
  });

  test('deleting the Service removes the claim and the deletion completes', async () => {
    const r = await env.kubectl(['delete', 'service', 'marker', '--timeout=30s']);
    assert.equal(r.code, 0, `${r.stderr}\n${diag()}`);
    assert.equal(await svc('marker'), undefined);
    assert.equal(await claim(`${env.namespace}.marker`), undefined);
  });

  test('steady state: a resync writes nothing', async () => {
    const a = procs[0]!;
    await new Promise((r) => setTimeout(r, 1500));
    const before = await writes(a);
    await new Promise((r) => setTimeout(r, 6000)); // more than one 5 s resync
    assert.equal(await writes(a), before, 'no API writes besides lease renewals');
  });

  test('with two controllers only the leader reconciles; after kill -9 the other takes over within LeaseDuration + 2 jittered retry periods', async () => {
    const a = procs[0]!;
    const b = await startController('b');
    await env.eventually(async () => standingBy(b), 'b is standing by', 30_000);
    await new Promise((r) => setTimeout(r, 2 * LEASE.retry));
    assert.equal(await leaseHolder(), 'a');
    assert.equal(synced(b), false, 'the standby does not list or watch');
    await apply(lbService('during-a'));
    await env.eventually(async () => (await claim(`${env.namespace}.during-a`)) ?? false, 'claim made by a');
    assert.equal(reconciledLines(b), 0, 'the standby reconciled nothing');

    const killedAt = Date.now();
    process.kill(-a.proc.pid, 'SIGKILL');
    await a.proc.exited;
    await env.eventually(async () => (await leaseHolder()) === 'b', 'b holds the lease', 20_000);
    // acquireTime is written by b on this host: exact, unlike polling with kubectl.
    const lease = await kubectlJson(['-n', 'portcullis-system', 'get', 'lease', 'portcullis-controller']);
    const tookMs = Date.parse(lease?.spec.acquireTime) - killedAt;
    process.stderr.write(`e2e controller: takeover after kill -9 took ${tookMs} ms (lease acquireTime - kill)\n`);
    // The standby may see the last renewal one jittered period (up to 2.2 x retry) late, and tries up to one more after expiry.
    assert.ok(tookMs <= LEASE.duration + 2 * JITTER * LEASE.retry + 250, `takeover took ${tookMs} ms\n${leaderLog()}`);
    assert.equal(lease?.spec.leaseTransitions, 1);
    await apply(lbService('after-takeover'));
    await env.eventually(async () => (await claim(`${env.namespace}.after-takeover`)) ?? false, 'b creates claims');
  });

  test('a clean shutdown releases the lease so the standby takes over at once', async () => {
    const b = procs.find((c) => c.identity === 'b')!;
    const c = await startController('c');
    await env.eventually(async () => standingBy(c), 'c is standing by', 30_000);
    const stoppedAt = Date.now();
    await b.proc.stop();
    // Released: the standby need not wait for the lease to expire, only for its next retry.
    assert.equal(await b.proc.exited, 0, 'SIGTERM exits 0');
    await env.eventually(async () => (await leaseHolder()) === 'c', 'c holds the lease', 20_000);
    const lease = await kubectlJson(['-n', 'portcullis-system', 'get', 'lease', 'portcullis-controller']);
    const tookMs = Date.parse(lease?.spec.acquireTime) - stoppedAt;
    process.stderr.write(`e2e controller: takeover after clean shutdown took ${tookMs} ms (lease acquireTime - SIGTERM)\n`);
    assert.ok(tookMs <= JITTER * LEASE.retry + 1000, `took ${tookMs} ms, about one jittered retry period (expiry would take ${LEASE.duration} ms)\n${leaderLog()}`);
    await env.eventually(async () => synced(c), 'c synced');
  });

  test('an apiserver restart is survived and changes made meanwhile are caught up', async () => {
    const c = procs.find((p) => p.identity === 'c')!;
    await apply(lbService('before-restart'));
    await apply(lbService('to-change'));
    await env.eventually(async () => (await claim(`${env.namespace}.to-change`)) ?? false, 'claim to-change');
    await env.restartApiserver();
    // The controller's watches broke; these land while it is backing off and relisting.
    await apply(lbService('while-down'));
    await apply(lbService('to-change', 9090));
    const del = await env.kubectl(['delete', 'service', 'before-restart', '--wait=false']);
    assert.equal(del.code, 0, del.stderr);
    await env
      .eventually(async () => (await claim(`${env.namespace}.while-down`)) ?? false, 'claim for a Service made during the outage', 40_000)
      .catch((e) => assert.fail(`${e}\n${diag()}`));
    await env.eventually(async () => (await claim(`${env.namespace}.to-change`))?.spec?.ports?.[0]?.port === 9090, 'changed spec caught up', 40_000);
    await env.eventually(async () => (await svc('before-restart')) === undefined, 'deleted Service finalized', 40_000);
    assert.equal(await claim(`${env.namespace}.before-restart`), undefined);
    assert.equal(c.proc.output().some((l) => l.includes('controller crashed')), false);
  });

  test('removing the binding cleans up: the next leader deletes its claims and finalizers', async () => {
    const c = procs.find((p) => p.identity === 'c')!;
    const withFinalizer = async (): Promise<number> => {
      const list = await kubectlJson(['get', 'services']);
      return (list?.items ?? []).filter((s: any) => (s.metadata.finalizers ?? []).includes('portcullis.dev/loadbalancer-claims')).length;
    };
    assert.ok((await withFinalizer()) > 0);
    await c.proc.stop();
    const empty = await mkdtemp(join(tmpdir(), 'no-bindings-'));
    await startController('d', empty);
    await env
      .eventually(async () => ((await kubectlJson(['get', 'loadbalancerclaims']))?.items ?? [1]).length === 0, 'all claims deleted', 30_000)
      .catch((e) => assert.fail(`${e}\n${diag()}`));
    await env.eventually(async () => (await withFinalizer()) === 0, 'all finalizers removed', 30_000);
    const del = await env.kubectl(['delete', 'service', 'web', '--timeout=20s']);
    assert.equal(del.code, 0, 'a Service without our finalizer deletes at once');
  });
});
