import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { JsonObject } from '../../../src/kube/types.js';
import { createController } from '../../../src/controller/controller.js';
import { LEASES } from '../../../src/controller/leader-election.js';
import { createFakeApiClient } from './fake-api-client.js';
import { createFakeClock } from './fake-clock.js';
import { CLAIMS, loadShippedBinding, SERVICES, service } from './fixture.js';

async function setup(options: { resyncMs?: number } = {}) {
  const api = createFakeApiClient();
  const clock = createFakeClock();
  const registry = new Registry();
  const binding = await loadShippedBinding();
  const controller = createController({
    client: api,
    bindings: [binding],
    logger: pino({ level: 'silent' }),
    registry,
    clock,
    leaderElection: { identity: 'me', namespace: 'portcullis-system' },
    resyncMs: options.resyncMs ?? 60_000,
  });
  const metric = async (name: string, labels: Record<string, string> = {}): Promise<number> => {
    const m = await registry.getSingleMetric(name)!.get();
    return m.values
      .filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))
      .reduce((sum, v) => sum + v.value, 0);
  };
  return { api, clock, registry, controller, metric };
}

test('nothing is listed or watched before the lease is won', async () => {
  const { api, clock, controller } = await setup();
  api.seed(LEASES, {
    metadata: { namespace: 'portcullis-system', name: 'portcullis-controller' },
    spec: { holderIdentity: 'someone-else', leaseDurationSeconds: 15, renewTime: '2026-01-01T00:00:00.000000Z' },
  });
  controller.start();
  await clock.advance(10_000);
  assert.equal(api.calls.list ?? 0, 0);
  assert.equal(api.calls.watch ?? 0, 0);
  assert.equal(controller.isLeader(), false);
  await clock.advance(10_000); // the other holder stopped renewing: we take over
  assert.equal(controller.isLeader(), true);
  assert.ok((api.calls.list ?? 0) >= 2);
  await controller.stop();
});

test('the leader creates claims for LoadBalancer Services with at most 3 writes each and none on resync', async () => {
  const { api, clock, controller, metric } = await setup({ resyncMs: 60_000 });
  for (let i = 0; i < 20; i++) api.seed(SERVICES, service(`svc-${i}`, i % 2 === 0 ? 'LoadBalancer' : 'ClusterIP'));
  controller.start();
  await controller.synced();
  for (let i = 0; i < 5; i++) await clock.advance(10);
  assert.equal(api.all(CLAIMS).length, 10);
  const nonLease = api.writes.filter((w) => w.resource !== 'leases');
  assert.equal(nonLease.length, 30, '3 writes per LoadBalancer Service');
  assert.equal(await metric('portcullis_controller_api_writes_total', { resource: 'loadbalancerclaims' }), 10);
  const before = api.writes.filter((w) => w.resource !== 'leases').length;
  await clock.advance(60_000); // one resync (and orphan sweep)
  await clock.advance(60_000);
  assert.equal(api.writes.filter((w) => w.resource !== 'leases').length, before, 'steady-state resync writes nothing');
  assert.ok((await metric('controller_runtime_reconcile_total', { result: 'success' })) >= 40);
  await controller.stop();
});

test('failed reconciles retry with backoff, count errors and dedupe the Failed event', async () => {
  const { api, clock, controller, metric } = await setup();
  api.seed(SERVICES, service('web'));
  api.failNext('create', 3, 500, 'loadbalancerclaims');
  controller.start();
  await controller.synced();
  await clock.advance(100);
  assert.equal(api.all(CLAIMS).length, 1, 'created after 3 failures (5+10+20 ms backoff)');
  assert.equal(await metric('controller_runtime_reconcile_errors_total'), 3);
  assert.equal(await metric('workqueue_retries_total'), 3);
  const events = api.all({ ...SERVICES, resource: 'events', kind: 'Event' });
  const failed = events.filter((e) => e.reason === 'Failed');
  assert.equal(failed.length, 1, 'one Failed event, not three');
  assert.equal(failed[0]!.count, 3);
  assert.equal(events.filter((e) => e.reason === 'Created').length, 1);
  await controller.stop();
});

test('stop releases the lease and stops all watches', async () => {
  const { api, clock, controller } = await setup();
  controller.start();
  await controller.synced();
  await clock.advance(10);
  assert.equal(api.openWatches(), 2);
  await controller.stop();
  assert.equal(api.openWatches(), 0);
  const lease = api.read(LEASES, 'portcullis-system', 'portcullis-controller')!;
  assert.equal((lease.spec as JsonObject).holderIdentity, '');
});

test('an orphan claim left while no controller ran is swept at start', async () => {
  const { api, clock, controller } = await setup();
  api.seed(CLAIMS, {
    metadata: {
      name: 'shop.deleted',
      labels: { 'portcullis.dev/binding': 'loadbalancer-claims' },
      annotations: { 'portcullis.dev/source': 'shop/deleted' },
    },
    spec: {},
  });
  controller.start();
  await controller.synced();
  await clock.advance(10);
  assert.equal(api.all(CLAIMS).length, 0);
  await controller.stop();
});

test('a binding removed from the configuration is cleaned up by the next leader', async () => {
  const { api, clock, controller } = await setup();
  const oldBinding = { name: 'old-binding', source: SERVICES, target: CLAIMS };
  api.seed(LEASES, {
    metadata: {
      namespace: 'portcullis-system',
      name: 'portcullis-controller',
      annotations: { 'portcullis.dev/bindings': JSON.stringify([oldBinding]) },
    },
    spec: { holderIdentity: '' },
  });
  api.seed(CLAIMS, { metadata: { name: 'shop.legacy', labels: { 'portcullis.dev/binding': 'old-binding' } }, spec: {} });
  api.seed(SERVICES, { ...service('legacy', 'ClusterIP'), metadata: { namespace: 'shop', name: 'legacy', finalizers: ['portcullis.dev/old-binding', 'other/keep'] } });
  controller.start();
  await controller.synced();
  await clock.advance(10);
  assert.equal(api.read(CLAIMS, '', 'shop.legacy'), undefined, 'the old binding CR is deleted');
  assert.deepEqual((api.read(SERVICES, 'shop', 'legacy')!.metadata as JsonObject).finalizers, ['other/keep']);
  const lease = api.read(LEASES, 'portcullis-system', 'portcullis-controller')!;
  const record = JSON.parse(((lease.metadata as JsonObject).annotations as JsonObject)['portcullis.dev/bindings'] as string);
  assert.deepEqual(record.map((b: { name: string }) => b.name), ['loadbalancer-claims']);
  await controller.stop();
});

test('ready only once the leader synced its caches; healthy while running; done resolves after stop', async () => {
  const { clock, controller } = await setup();
  assert.equal(controller.ready(), false, 'not started');
  assert.equal(controller.healthy(), false);
  controller.start();
  await controller.synced();
  await clock.advance(0);
  assert.equal(controller.isLeader(), true);
  assert.equal(controller.ready(), true);
  assert.equal(controller.healthy(), true);
  await controller.stop();
  assert.equal(controller.ready(), false, 'not ready once stopping');
  await controller.done();
});

test('a control loop that crashes stops the controller, releases the lease, and done() rejects with the error', async () => {
  const api = createFakeApiClient();
  const clock = createFakeClock();
  const binding = await loadShippedBinding();
  // A filter that passed no load check: compiling it when the loop starts throws.
  const broken = { ...binding, filter: {} };
  const controller = createController({
    client: api,
    bindings: [broken],
    logger: pino({ level: 'silent' }),
    registry: new Registry(),
    clock,
    leaderElection: { identity: 'me', namespace: 'portcullis-system' },
  });
  controller.start();
  await clock.advance(0);
  await assert.rejects(controller.done(), /filter needs one of/);
  assert.equal(controller.healthy(), false);
  assert.equal(controller.isLeader(), false);
  const lease = api.read(LEASES, 'portcullis-system', 'portcullis-controller')!;
  assert.equal((lease.spec as JsonObject).holderIdentity, '', 'the lease was released on the way out');
});
