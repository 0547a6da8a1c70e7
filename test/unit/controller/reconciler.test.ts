import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject } from '../../../src/kube/types.js';
import { finalizerFor, SOURCE_ANNOTATION } from '../../../src/controller/claim.js';
import { TerminalError } from '../../../src/controller/run-loop.js';
import { CLAIMS, createFixture, SERVICES, service } from './fixture.js';
import { withLateResponses, type LateClient } from './late-responses.js';

const FINALIZER = 'portcullis.dev/loadbalancer-claims';
const meta = (o: JsonObject | undefined): JsonObject => (o?.metadata ?? {}) as JsonObject;
const rv = (o: JsonObject | undefined): string => meta(o).resourceVersion as string;

test('finalizer name is derived from the binding', async () => {
  const f = await createFixture();
  assert.equal(finalizerFor(f.binding), FINALIZER);
  await f.stop();
});

test('a LoadBalancer Service gets a finalizer and a claim with its spec in 3 writes', async () => {
  const f = await createFixture({ services: [service('web')] });
  await f.reconciler.reconcile('shop/web');
  assert.deepEqual(f.writesSince(0), ['patch services web', 'create loadbalancerclaims shop.web', 'create event']);
  const claim = f.api.read(CLAIMS, '', 'shop.web')!;
  assert.deepEqual(claim.spec, {
    serviceNamespace: 'shop',
    serviceName: 'web',
    ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }],
  });
  const labels = meta(claim).labels as JsonObject;
  assert.equal(labels['portcullis.dev/binding'], 'loadbalancer-claims');
  assert.equal(labels['portcullis.dev/source-namespace'], 'shop');
  assert.equal(labels['portcullis.dev/source-name'], 'web');
  assert.equal((meta(claim).annotations as JsonObject)[SOURCE_ANNOTATION], 'shop/web');
  assert.deepEqual(meta(f.api.read(SERVICES, 'shop', 'web')).finalizers, [FINALIZER]);
  const event = f.api.writes.find((w) => w.resource === 'events')!.body as JsonObject;
  assert.equal(event.reason, 'Created');
  assert.deepEqual((event.source as JsonObject).component, 'portcullis-controller');
  await f.stop();
});

test('reconcile at steady state writes nothing, even before the watch catches up', async () => {
  const f = await createFixture({ services: [service('web')] });
  await f.reconciler.reconcile('shop/web');
  const mark = f.api.writes.length;
  await f.reconciler.reconcile('shop/web'); // caches hold the assumed writes
  await f.settle();
  await f.reconciler.reconcile('shop/web'); // caches hold the watched objects
  assert.deepEqual(f.writesSince(mark), []);
  await f.stop();
});

test('a ClusterIP Service makes nothing', async () => {
  const f = await createFixture({ services: [service('db', 'ClusterIP')] });
  await f.reconciler.reconcile('shop/db');
  assert.deepEqual(f.writesSince(0), []);
  assert.equal(f.api.all(CLAIMS).length, 0);
  await f.stop();
});

test('changing the Service ports updates the claim spec once', async () => {
  const f = await createFixture({ services: [service('web')] });
  await f.reconciler.reconcile('shop/web');
  await f.settle();
  const current = f.api.read(SERVICES, 'shop', 'web')!;
  await f.api.patch(SERVICES, 'shop', 'web', { spec: { ports: [{ name: 'https', port: 443, protocol: 'TCP' }] } }, { type: 'merge' });
  await f.settle();
  const mark = f.api.writes.length;
  await f.reconciler.reconcile('shop/web');
  await f.settle();
  await f.reconciler.reconcile('shop/web');
  assert.deepEqual(f.writesSince(mark), ['patch loadbalancerclaims shop.web', 'create event']);
  assert.deepEqual((f.api.read(CLAIMS, '', 'shop.web')!.spec as JsonObject).ports, [{ name: 'https', port: 443, protocol: 'TCP' }]);
  assert.ok(current);
  await f.stop();
});

test('claim status ingress is reflected into the Service status, once', async () => {
  const f = await createFixture({ services: [service('web')] });
  await f.reconciler.reconcile('shop/web');
  await f.settle();
  await f.api.patch(CLAIMS, '', 'shop.web', { status: { ingress: [{ ip: '192.0.2.10' }] } }, { type: 'merge', subresource: 'status' });
  await f.settle();
  const mark = f.api.writes.length;
  await f.reconciler.reconcile('shop/web');
  await f.settle();
  await f.reconciler.reconcile('shop/web');
  assert.deepEqual(f.writesSince(mark), ['patch services/status web', 'create event']);
  assert.deepEqual((f.api.read(SERVICES, 'shop', 'web')!.status as JsonObject).loadBalancer, { ingress: [{ ip: '192.0.2.10' }] });
  await f.stop();
});

test('deleting the Service deletes the claim, then drops the finalizer so deletion completes', async () => {
  const f = await createFixture({ services: [service('web')] });
  await f.reconciler.reconcile('shop/web');
  await f.settle();
  await f.api.delete(SERVICES, 'shop', 'web');
  assert.ok(f.api.read(SERVICES, 'shop', 'web'), 'held by the finalizer');
  await f.settle();
  const mark = f.api.writes.length;
  await f.reconciler.reconcile('shop/web');
  await f.settle();
  await f.reconciler.reconcile('shop/web');
  assert.deepEqual(f.writesSince(mark), ['delete loadbalancerclaims shop.web', 'create event', 'patch services web']);
  assert.equal(f.api.read(CLAIMS, '', 'shop.web'), undefined);
  assert.equal(f.api.read(SERVICES, 'shop', 'web'), undefined);
  await f.stop();
});

test('a Service that stops matching loses its claim, finalizer and reflected status', async () => {
  const f = await createFixture({ services: [service('web')] });
  await f.reconciler.reconcile('shop/web');
  await f.settle();
  await f.api.patch(CLAIMS, '', 'shop.web', { status: { ingress: [{ ip: '192.0.2.10' }] } }, { type: 'merge', subresource: 'status' });
  await f.settle();
  await f.reconciler.reconcile('shop/web');
  await f.settle();
  await f.api.patch(SERVICES, 'shop', 'web', { spec: { type: 'ClusterIP' } }, { type: 'merge' });
  await f.settle();
  await f.reconciler.reconcile('shop/web');
  await f.settle();
  await f.reconciler.reconcile('shop/web');
  const svc = f.api.read(SERVICES, 'shop', 'web')!;
  assert.equal(f.api.read(CLAIMS, '', 'shop.web'), undefined);
  assert.deepEqual(meta(svc).finalizers, []);
  assert.deepEqual((svc.status as JsonObject).loadBalancer, {});
  await f.stop();
});

test('an orphan claim whose Service is gone is deleted', async () => {
  const orphan = {
    metadata: { name: 'shop.old', labels: { 'portcullis.dev/binding': 'loadbalancer-claims' }, annotations: { [SOURCE_ANNOTATION]: 'shop/old' } },
    spec: {},
  };
  const f = await createFixture({ claims: [orphan] });
  await f.reconciler.reconcile('shop/old');
  assert.deepEqual(f.writesSince(0), ['delete loadbalancerclaims shop.old']);
  assert.equal(f.api.all(CLAIMS).length, 0);
  await f.stop();
});

test('a claim name taken by another source is a terminal error and nothing is overwritten', async () => {
  const squatter = {
    metadata: { name: 'shop.web', labels: { 'portcullis.dev/binding': 'loadbalancer-claims' }, annotations: { [SOURCE_ANNOTATION]: 'other/x' } },
    spec: { serviceName: 'x' },
  };
  const f = await createFixture({ services: [service('web')], claims: [squatter] });
  await assert.rejects(f.reconciler.reconcile('shop/web'), TerminalError);
  assert.deepEqual((f.api.read(CLAIMS, '', 'shop.web')!.spec as JsonObject).serviceName, 'x');
  await f.stop();
});

test('a create racing a stale cache adopts the existing claim instead of failing', async () => {
  const f = await createFixture({ services: [service('web')] });
  await f.reconciler.reconcile('shop/web');
  const made = f.api.read(CLAIMS, '', 'shop.web')!;
  // The claim is recreated (a previous leader) while our watch lags: the cache has not seen it.
  f.api.holdWatchEvents();
  await f.api.delete(CLAIMS, '', 'shop.web');
  f.api.releaseWatchEvents();
  await f.settle();
  f.api.holdWatchEvents();
  f.api.seed(CLAIMS, { ...made, metadata: { ...meta(made), uid: undefined, resourceVersion: undefined } });
  assert.equal(f.claims.get('shop.web'), undefined, 'cache behind the API');
  const mark = f.api.writes.length;
  await f.reconciler.reconcile('shop/web');
  assert.deepEqual(f.writesSince(mark), ['create loadbalancerclaims shop.web'], 'one failed create, then no more writes');
  assert.equal(f.api.all(CLAIMS).length, 1);
  f.api.releaseWatchEvents();
  await f.stop();
});

test('a stale source cache makes the finalizer patch conflict instead of losing data', async () => {
  const f = await createFixture({ services: [service('web')] });
  f.api.holdWatchEvents(); // the cache lags behind the API
  await f.api.patch(SERVICES, 'shop', 'web', { metadata: { labels: { a: 'b' } } }, { type: 'merge' });
  await assert.rejects(f.reconciler.reconcile('shop/web'), /modified/);
  f.api.releaseWatchEvents();
  await f.settle();
  await f.reconciler.reconcile('shop/web');
  assert.deepEqual(meta(f.api.read(SERVICES, 'shop', 'web')).labels, { a: 'b' });
  assert.deepEqual(meta(f.api.read(SERVICES, 'shop', 'web')).finalizers, [FINALIZER]);
  await f.stop();
});

test('fields the server defaults into the reflected status do not cause rewrites', async () => {
  const f = await createFixture({ services: [service('web')] });
  await f.reconciler.reconcile('shop/web');
  await f.settle();
  await f.api.patch(CLAIMS, '', 'shop.web', { status: { ingress: [{ ip: '192.0.2.10' }] } }, { type: 'merge', subresource: 'status' });
  await f.settle();
  await f.reconciler.reconcile('shop/web');
  // What the real apiserver does: default ipMode on the Service's ingress.
  await f.api.patch(SERVICES, 'shop', 'web', { status: { loadBalancer: { ingress: [{ ip: '192.0.2.10', ipMode: 'VIP' }] } } }, { type: 'merge', subresource: 'status' });
  await f.settle();
  const mark = f.api.writes.length;
  await f.reconciler.reconcile('shop/web');
  await f.reconciler.reconcile('shop/web');
  assert.deepEqual(f.writesSince(mark), []);
  await f.stop();
});

test('a late finalizer-patch answer does not roll the cache back: a switch to ClusterIP still drops finalizer and claim', async () => {
  let late!: LateClient;
  const f = await createFixture({ services: [service('web')], client: (api) => (late = withLateResponses(api)) });
  late.hold();
  const reconciling = f.reconciler.reconcile('shop/web'); // patches the finalizer; the answer is held
  await f.settle();
  // Meanwhile the user switches the Service to ClusterIP; the watch delivers it at once.
  const current = f.api.read(SERVICES, 'shop', 'web')!;
  await f.api.patch(SERVICES, 'shop', 'web', { spec: { type: 'ClusterIP' } }, { type: 'merge' });
  await f.settle();
  await late.release(); // the finalizer patch's answer, older than the cached Service, arrives
  await reconciling.catch(() => undefined);
  await late.release();
  await f.settle();
  assert.equal(rv(f.sources.get('shop/web')), rv(f.api.read(SERVICES, 'shop', 'web')), 'cache holds the newest Service');
  assert.ok(Number(rv(current)) < Number(rv(f.sources.get('shop/web'))));
  await f.reconciler.reconcile('shop/web');
  await f.settle();
  assert.deepEqual(meta(f.api.read(SERVICES, 'shop', 'web')).finalizers ?? [], [], 'finalizer removed');
  assert.equal(f.api.all(CLAIMS).length, 0, 'claim deleted');
  await f.stop();
});

test('a late claim-patch answer does not hide a newer allocator status: the newest address is reflected', async () => {
  let late!: LateClient;
  const f = await createFixture({ services: [service('web')], client: (api) => (late = withLateResponses(api)) });
  await f.reconciler.reconcile('shop/web');
  await f.settle();
  await f.api.patch(CLAIMS, '', 'shop.web', { status: { ingress: [{ ip: '192.0.2.1' }] } }, { type: 'merge', subresource: 'status' });
  await f.api.patch(SERVICES, 'shop', 'web', { spec: { ports: [{ name: 'http', port: 81, protocol: 'TCP' }] } }, { type: 'merge' });
  await f.settle();
  late.hold();
  const reconciling = f.reconciler.reconcile('shop/web'); // patches the claim spec; the answer is held
  await f.settle();
  // The allocator writes a new address; the watch has it before our patch's answer.
  await f.api.patch(CLAIMS, '', 'shop.web', { status: { ingress: [{ ip: '192.0.2.2' }] } }, { type: 'merge', subresource: 'status' });
  await f.settle();
  await late.release();
  await reconciling;
  await late.release();
  await f.settle();
  await f.reconciler.reconcile('shop/web');
  await f.settle();
  const ingress = ((f.api.read(SERVICES, 'shop', 'web')!.status as JsonObject).loadBalancer as JsonObject).ingress;
  assert.deepEqual(ingress, [{ ip: '192.0.2.2' }]);
  assert.equal(rv(f.claims.get('shop.web')), rv(f.api.read(CLAIMS, '', 'shop.web')));
  await f.stop();
});

test('a claim with status.ingress: [] reaches a steady state that writes nothing', async () => {
  const f = await createFixture({ services: [service('web')] });
  await f.reconciler.reconcile('shop/web');
  await f.settle();
  await f.api.patch(CLAIMS, '', 'shop.web', { status: { ingress: [{ ip: '192.0.2.1' }] } }, { type: 'merge', subresource: 'status' });
  await f.settle();
  await f.reconciler.reconcile('shop/web');
  await f.settle();
  // The allocator clears the addresses the way the CRD allows: an empty list.
  await f.api.patch(CLAIMS, '', 'shop.web', { status: { ingress: [] } }, { type: 'merge', subresource: 'status' });
  await f.settle();
  await f.reconciler.reconcile('shop/web');
  await f.settle();
  const lb = (f.api.read(SERVICES, 'shop', 'web')!.status as JsonObject).loadBalancer as JsonObject;
  assert.equal(lb.ingress, undefined, 'the address is gone from the Service');
  const mark = f.api.writes.length;
  for (let i = 0; i < 3; i++) {
    await f.reconciler.reconcile('shop/web');
    await f.settle();
  }
  assert.deepEqual(f.writesSince(mark), [], 'no status patch, no event, at steady state');
  await f.stop();
});

test('a name taken by a claim that is not ours fails once and writes nothing on later reconciles', async () => {
  const foreign = { apiVersion: 'net.portcullis.dev/v1alpha1', kind: 'LoadBalancerClaim', metadata: { name: 'shop.web' }, spec: { owner: 'someone' } };
  const f = await createFixture({ services: [service('web')] });
  f.api.seed(CLAIMS, foreign); // no binding label: the label-selected cache never sees it
  await f.settle();
  await assert.rejects(f.reconciler.reconcile('shop/web'), TerminalError);
  const mark = f.api.writes.length;
  await assert.rejects(f.reconciler.reconcile('shop/web'), TerminalError);
  assert.deepEqual(f.writesSince(mark), [], 'known to be taken: checked with a read, not a create');
  assert.deepEqual(f.api.read(CLAIMS, '', 'shop.web')!.spec, { owner: 'someone' });
  await f.api.delete(CLAIMS, '', 'shop.web');
  await f.settle();
  await f.reconciler.reconcile('shop/web');
  assert.equal(meta(f.api.read(CLAIMS, '', 'shop.web')).annotations !== undefined, true, 'ours once the name is free');
  await f.stop();
});
