/**
 * The companion controller under faults, through a real etcd + kube-apiserver: two (then three)
 * `portcullis controller` replicas with short lease settings and a few hundred Services of mixed
 * types; the leader is killed with SIGKILL, etcd is compacted and the apiserver restarted,
 * Services are deleted and switch types, an "allocator" writes claim status (addresses, then
 * `ingress: []`), a hand-made orphan claim waits to be swept and a foreign claim holds a wanted
 * name. Then the test waits for convergence and checks the whole world, and that a full resync
 * after it writes nothing. It prints convergence time, takeover time, a standby's request rate
 * while the apiserver restarts, and API writes per object (docs/controller.md quotes them).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { e2eSuite, startE2E, type E2EEnv } from './harness/index.js';
import {
  apiWrites,
  counterSum,
  createAdminApi,
  inBatches,
  installControllerAccess,
  startControllerProcess,
  type AdminApi,
  type ControllerProc,
} from './controller-env.js';

const LEASE = { duration: 3000, renewDeadline: 2000, retry: 500 };
const RESYNC_MS = 6000;
const FINALIZER = 'portcullis.dev/loadbalancer-claims';
const BINDING_LABEL = 'portcullis.dev/binding';
const CLAIMS = '/apis/net.portcullis.dev/v1alpha1/loadbalancerclaims';
// The harness's service CIDR is a /24: headless ClusterIP Services keep the total within it.
const COUNTS = { lb: 170, np: 40, headless: 80 };

const report = (line: string): void => void process.stderr.write(`e2e controller chaos: ${line}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const range = (prefix: string, from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => `${prefix}-${from + i}`);

await e2eSuite('companion controller under faults (chaos scenario)', () => {
  let env: E2EEnv;
  let api: AdminApi;
  let kubeconfig: string;
  const procs: ControllerProc[] = [];
  const ns = (): string => env.namespace;
  const svcPath = (name?: string): string => `/api/v1/namespaces/${ns()}/services${name ? `/${name}` : ''}`;

  const start = async (identity: string): Promise<ControllerProc> => {
    const c = await startControllerProcess({
      kubeconfig,
      identity,
      lease: LEASE,
      extraArgs: ['--resync', `${RESYNC_MS}ms`, '--workers', '4', '--log-level', 'info'],
    });
    procs.push(c);
    return c;
  };
  const lease = async (): Promise<Record<string, any>> =>
    (await api.call('GET', '/apis/coordination.k8s.io/v1/namespaces/portcullis-system/leases/portcullis-controller')).body;
  const holder = async (): Promise<string> => (await lease())?.spec?.holderIdentity ?? '';
  const diag = (): string =>
    `${env.diagnostics()}\n--- controllers ---\n${procs.map((c) => `[${c.identity}]\n${c.proc.output().slice(-30).join('\n')}`).join('\n')}`;

  const service = (name: string, type: string): object => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns() },
    spec: {
      type,
      ...(type === 'ClusterIP' ? { clusterIP: 'None' } : {}),
      selector: { app: name },
      ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }],
    },
  });
  const must = async (what: string, p: Promise<{ status: number; body: any }>): Promise<any> => {
    const r = await p;
    assert.ok(r.status >= 200 && r.status < 300, `${what}: HTTP ${r.status} ${JSON.stringify(r.body?.message ?? r.body)}`);
    return r.body;
  };
  const mergePatch = (path: string, body: object): Promise<{ status: number; body: any }> =>
    api.call('PATCH', path, body, 'application/merge-patch+json');
  const setType = (name: string, type: string): Promise<any> => must(`switch ${name}`, mergePatch(svcPath(name), { spec: { type } }));
  const deleteSvc = (name: string): Promise<any> => must(`delete ${name}`, api.call('DELETE', svcPath(name)));
  const claimName = (svc: string): string => `${ns()}.${svc}`;
  /** allocate writes a claim's status as an allocator would, once the claim exists. */
  const allocate = async (svc: string, ingress: object[]): Promise<void> => {
    await env.eventually(async () => (await api.call('GET', `${CLAIMS}/${claimName(svc)}`)).status === 200, `claim of ${svc}`, 90_000);
    await must(`status of ${svc}`, mergePatch(`${CLAIMS}/${claimName(svc)}/status`, { status: { ingress } }));
  };

// The whole world as it should be: the problems left, none once converged.
  const world = async (): Promise<{ svcs: any[]; claims: any[] }> => ({
    svcs: (await must('list services', api.call('GET', svcPath()))).items,
    claims: (await must('list claims', api.call('GET', CLAIMS))).items,
  });
  const problems = (w: { svcs: any[]; claims: any[] }): string[] => {
    const out: string[] = [];
    const claims = new Map(w.claims.map((cl) => [cl.metadata.name, cl]));
    const svcByName = new Map(w.svcs.map((s) => [s.metadata.name, s]));
    for (const s of w.svcs) {
      const name = s.metadata.name as string;
      const fins: string[] = s.metadata.finalizers ?? [];
      const ingress = s.status?.loadBalancer?.ingress;
      if (s.metadata.deletionTimestamp) {
        out.push(`${name}: stuck in deletion`);
        continue;
      }
      const matches = s.spec.type === 'LoadBalancer';
      const cl = claims.get(claimName(name));
      if (!matches) {
        if (fins.includes(FINALIZER)) out.push(`${name}: finalizer on a non-matching Service`);
        if (cl && cl.metadata.labels?.[BINDING_LABEL]) out.push(`${name}: claim for a non-matching Service`);
        if (ingress) out.push(`${name}: reflected status left on a non-matching Service`);
        continue;
      }
      if (!fins.includes(FINALIZER)) out.push(`${name}: no finalizer`);
      if (name === 'taken') continue; // checked below: the foreign claim stays as it was
      if (!cl) {
        out.push(`${name}: no claim`);
        continue;
      }
      const want = { serviceNamespace: ns(), serviceName: name, ports: s.spec.ports };
      try {
        assert.deepEqual(cl.spec, want);
      } catch {
        out.push(`${name}: claim spec ${JSON.stringify(cl.spec)} != ${JSON.stringify(want)}`);
      }
      const labels = cl.metadata.labels ?? {};
      if (labels[BINDING_LABEL] !== 'loadbalancer-claims' || labels['portcullis.dev/source-uid'] !== s.metadata.uid || labels['portcullis.dev/source-name'] !== name) {
        out.push(`${name}: claim labels ${JSON.stringify(labels)}`);
      }
      const addr: object[] = cl.status?.ingress ?? [];
      const ips = (ingress ?? []).map((i: any) => i.ip);
      const wantIps = addr.map((i: any) => i.ip);
      if (JSON.stringify(ips) !== JSON.stringify(wantIps)) out.push(`${name}: ingress ${JSON.stringify(ips)} != claim ${JSON.stringify(wantIps)}`);
    }
    for (const cl of w.claims) {
      if (!cl.metadata.labels?.[BINDING_LABEL]) continue;
      const src = String(cl.metadata.annotations?.['portcullis.dev/source'] ?? '').split('/')[1] ?? '';
      const s = svcByName.get(src);
      if (!s || s.spec.type !== 'LoadBalancer') out.push(`claim ${cl.metadata.name}: orphan (source ${src} ${s ? 'does not match' : 'is gone'})`);
    }
    return out;
  };
  const converge = async (): Promise<void> => {
    let last: string[] = [];
    await env
      .eventually(async () => {
        last = problems(await world());
        return last.length === 0;
      }, 'the world converges', 120_000)
      .catch((e) => assert.fail(`${e}\n${last.slice(0, 20).join('\n')}\n${diag()}`));
  };

  before(async () => {
    env = await startE2E({ crds: 'manifests/crds', policies: 'policies', webhooks: false, clusterSchemas: 'as-is' });
    api = await createAdminApi(env);
    kubeconfig = await installControllerAccess(env);
  });
  after(async () => {
    await Promise.all(procs.map((c) => c.proc.stop()));
    await env?.stop();
  });

  test('two replicas converge through a leader kill, an apiserver restart, compaction and churn; the world is right and a resync writes nothing', async () => {
    const t0 = Date.now();
    // A foreign claim holding the name the Service "taken" wants, and an orphan that looks like ours.
    const foreignSpec = { serviceNamespace: 'elsewhere', serviceName: 'not-ours' };
    await must('foreign claim', api.call('POST', CLAIMS, { apiVersion: 'net.portcullis.dev/v1alpha1', kind: 'LoadBalancerClaim', metadata: { name: claimName('taken') }, spec: foreignSpec }));
    await must('orphan claim', api.call('POST', CLAIMS, {
      apiVersion: 'net.portcullis.dev/v1alpha1',
      kind: 'LoadBalancerClaim',
      metadata: {
        name: claimName('ghost'),
        labels: { [BINDING_LABEL]: 'loadbalancer-claims', 'portcullis.dev/source-namespace': ns(), 'portcullis.dev/source-name': 'ghost' },
        annotations: { 'portcullis.dev/source': `${ns()}/ghost` },
      },
      spec: { serviceNamespace: ns(), serviceName: 'ghost' },
    }));

    const a = await start('a');
    await env.eventually(async () => (await holder()) === 'a', 'a holds the lease', 30_000);
    const b = await start('b');
    await env.eventually(async () => b.proc.output().some((l) => l.includes('standing by')), 'b stands by', 30_000);

    const services = [
      ...range('lb', 0, COUNTS.lb).map((n) => service(n, 'LoadBalancer')),
      ...range('np', 0, COUNTS.np).map((n) => service(n, 'NodePort')),
      ...range('hl', 0, COUNTS.headless).map((n) => service(n, 'ClusterIP')),
      service('taken', 'LoadBalancer'),
    ];
    const created = await env.kubectl(['create', '-f', '-'], { input: { apiVersion: 'v1', kind: 'List', items: services } });
    assert.equal(created.code, 0, created.stderr);
    report(`${services.length} Services created in ${Date.now() - t0} ms`);

    // Kill the leader in mid-flight, once it has made some claims.
    await env.eventually(async () => ((await api.call('GET', CLAIMS)).body?.items?.length ?? 0) >= 40, '40 claims made by a', 90_000);
    const writesOfA = await apiWrites(a);
    const killedAt = Date.now();
    process.kill(-a.proc.pid, 'SIGKILL');
    await a.proc.exited;
    await env.eventually(async () => (await holder()) === 'b', 'b takes over', 30_000).catch((e) => assert.fail(`${e}\n${diag()}`));
    const takeoverMs = Date.parse((await lease()).spec.acquireTime) - killedAt;
    report(`takeover after kill -9: ${takeoverMs} ms (lease ${LEASE.duration} ms, retry ${LEASE.retry} ms)`);
    assert.ok(takeoverMs <= LEASE.duration + 2 * 2.2 * LEASE.retry + 500, `takeover took ${takeoverMs} ms`);

    // A new standby for the rest of the run.
    const c = await start('c');
    await env.eventually(async () => c.proc.output().some((l) => l.includes('standing by')), 'c stands by', 30_000);

    // Churn while b works: deletions and type switches both ways; an allocator hands out addresses.
    await inBatches(range('lb', 0, 20), 8, deleteSvc);
    await inBatches(range('lb', 20, 35), 8, (n) => setType(n, 'ClusterIP'));
    await inBatches(range('np', 0, 15), 8, (n) => setType(n, 'LoadBalancer'));
    await inBatches(range('lb', 35, 95), 8, (n) => allocate(n, [{ ip: `192.0.2.${Number(n.slice(3)) + 1}` }]));

    // Watch expiry and an apiserver restart, with the standby counting its requests meanwhile.
    const holderBeforeRestart = await holder();
    const revision = await env.compactEtcd();
    // Lease reads are the attempts (each is a GET, then an update when it may take or renew the lease); whatever
    // else c does once it wins the lease after the restart is not the standby's request rate.
    const leaseGets = (): Promise<number> => counterSum(c, 'portcullis_controller_api_requests_total', (l) => l.resource === 'leases' && l.verb === 'get');
    const standbyBefore = await leaseGets();
    const downAt = Date.now();
    await env.restartApiserver();
    const downMs = Date.now() - downAt;
    const standbyRequests = (await leaseGets()) - standbyBefore;
    const perRetryPeriod = standbyRequests / (downMs / LEASE.retry);
    report(`etcd compacted at revision ${revision}; apiserver restart took ${downMs} ms; the standby made ${standbyRequests} lease attempts meanwhile (${((standbyRequests * 1000) / downMs).toFixed(2)}/s, ${perRetryPeriod.toFixed(2)} per retry period)`);
    assert.ok(standbyRequests <= Math.ceil(downMs / LEASE.retry) + 1, `standby made ${standbyRequests} lease attempts in ${downMs} ms: more than one per retry period`);

    // More churn after the restart: deletions, switches away, addresses cleared with an empty list.
    await inBatches(range('lb', 95, 105), 8, deleteSvc);
    await inBatches(range('lb', 105, 115), 8, (n) => setType(n, 'ClusterIP'));
    await inBatches(range('lb', 85, 95), 8, (n) => allocate(n, []));
    const chaosEnded = Date.now();

    // Convergence: the whole world as it should be.
    await converge();
    const convergedAt = Date.now();
    report(`converged ${convergedAt - chaosEnded} ms after the last fault (${convergedAt - t0} ms after the first create)`);

    // Every expected Service is there; the deleted ones are gone.
    const w = await world();
    const names = new Set(w.svcs.map((s) => s.metadata.name));
    for (const gone of [...range('lb', 0, 20), ...range('lb', 95, 105)]) assert.equal(names.has(gone), false, `${gone} deleted`);
    assert.equal(w.svcs.filter((s) => s.spec.type === 'LoadBalancer').length, COUNTS.lb - 20 - 15 - 10 - 10 + 15 + 1);
    assert.equal(w.claims.some((cl) => cl.metadata.name === claimName('ghost')), false, 'the orphan claim was swept');
    const foreign = w.claims.find((cl) => cl.metadata.name === claimName('taken'));
    assert.deepEqual(foreign?.spec, foreignSpec, 'the foreign claim is untouched');
    assert.equal(foreign?.metadata.labels?.[BINDING_LABEL], undefined);
    const withAddress = w.svcs.filter((s) => s.status?.loadBalancer?.ingress?.length);
    assert.equal(withAddress.length, 50, 'lb-35..lb-84 carry their addresses; lb-85..lb-94 were cleared with []');

    // A Failed event for the taken name, not a loop: at most one per leadership term that saw it.
    const failed = async (): Promise<number> => {
      const ev = await must('events', api.call('GET', `/api/v1/namespaces/${ns()}/events?fieldSelector=involvedObject.name%3Dtaken,reason%3DFailed`));
      return ev.items.reduce((n: number, e: any) => n + (e.count ?? 1), 0);
    };
    const failedBefore = await failed();
    assert.ok(failedBefore >= 1 && failedBefore <= 3, `Failed events for "taken": ${failedBefore}`);

    // The Lease is held by a live replica; every live replica is healthy and ready (the leader: caches synced).
    const held = await holder();
    const live = procs.filter((p) => p.identity !== 'a');
    assert.ok(live.some((p) => p.identity === held), `lease held by ${held}`);
    for (const p of live) {
      for (const probe of ['/healthz', '/readyz']) {
        const res = await fetch(`http://127.0.0.1:${p.metricsPort}${probe}`);
        assert.equal(res.status, 200, `${p.identity} ${probe}`);
      }
    }

    // Zero writes on a full resync after convergence.
    const writesBefore = await Promise.all(live.map(apiWrites));
    await sleep(RESYNC_MS + 3000);
    const writesAfter = await Promise.all(live.map(apiWrites));
    assert.deepEqual(writesAfter, writesBefore, 'a full resync (and orphan sweep) writes nothing');
    assert.equal(await failed(), failedBefore, 'no new Failed event on resync');

    // API writes per object, over every replica (a's counted just before its kill).
    const total = writesOfA + writesAfter.reduce((x, y) => x + y, 0);
    const objects = services.length;
    report(`API writes: ${total} for ${objects} Services (${(total / objects).toFixed(2)} per Service, ${(total / (COUNTS.lb + 15 + 1)).toFixed(2)} per Service that ever matched); a wrote ${writesOfA} before its kill`);
    for (const p of live) assert.equal(p.proc.output().some((l) => l.includes('controller crashed')), false, `${p.identity} did not crash`);
    const relists = live.flatMap((p) => p.relists);
    const gone = relists.filter((l) => /410|too old|[Gg]one|[Ee]xpired/.test(l)).length;
    const terms = live.map((p) => `${p.identity} ${p.terms()}`).join(', ');
    report(`lease held by ${holderBeforeRestart} before the apiserver restart, by ${held} at the end; leadership terms: ${terms}; watches ended and relisted ${relists.length} times on the live replicas (${gone} of them 410 Gone / expired)`);
  });

  test('without leader election the informers of a lone replica survive an apiserver restart and compaction by themselves', async () => {
    // In the scenario above the leader's renew deadline (2 s) is shorter than the restart, so leadership changes
    // hands and the new term lists afresh. Here no lease ends the term: the informers must recover on their own.
    await Promise.all(procs.filter((p) => p.identity !== 'a').map((p) => p.proc.stop()));
    const solo = await startControllerProcess({ kubeconfig, identity: 'solo', lease: LEASE, extraArgs: ['--leader-elect=false', '--resync', '0', '--log-level', 'info'] });
    procs.push(solo);
    await env.eventually(async () => solo.proc.output().some((l) => l.includes('caches synced')), 'solo synced', 60_000);
    await converge();
    await env.compactEtcd();
    await env.restartApiserver();
    await must('create after-restart', api.call('POST', svcPath(), service('after-restart', 'LoadBalancer')));
    await deleteSvc('lb-150');
    await setType('lb-151', 'ClusterIP');
    await converge();
    assert.ok((await api.call('GET', `${CLAIMS}/${claimName('after-restart')}`)).status === 200);
    const gone = solo.relists.filter((l) => /410|too old|[Gg]one|[Ee]xpired/.test(l)).length;
    report(`solo replica: watches ended and relisted ${solo.relists.length} times across the restart (${gone} of them 410 Gone / expired)`);
    assert.ok(solo.relists.length >= 1, 'the informers noticed the restart and relisted');
    assert.equal(solo.proc.output().some((l) => l.includes('controller crashed')), false);
  });
});
