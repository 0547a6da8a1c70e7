import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { JsonObject } from '../../../src/kube/types.js';
import type { ResourceRef } from '../../../src/controller/api-client.js';
import { createInformer, type Informer } from '../../../src/controller/informer.js';
import { ApiRequestError } from '../../../src/controller/errors.js';
import { createFakeApiClient, type FakeApiClient } from './fake-api-client.js';
import { createFakeClock, type FakeClock } from './fake-clock.js';

const services: ResourceRef = { group: '', version: 'v1', resource: 'services', kind: 'Service', namespaced: true };
const svc = (name: string): JsonObject => ({ metadata: { namespace: 'default', name }, spec: { type: 'LoadBalancer' } });

function setup(): { api: FakeApiClient; clock: FakeClock; informer: Informer; events: string[] } {
  const api = createFakeApiClient();
  const clock = createFakeClock();
  const informer = createInformer({ client: api, resource: services, clock, logger: pino({ level: 'silent' }) });
  const events: string[] = [];
  informer.addHandlers({
    onAdd: (o) => events.push(`add ${(o.metadata as JsonObject).name}`),
    onUpdate: (_a, b) => events.push(`update ${(b.metadata as JsonObject).name}`),
    onDelete: (o) => events.push(`delete ${(o.metadata as JsonObject).name}`),
  });
  return { api, clock, informer, events };
}

test('informer lists, marks synced, then follows the watch', async () => {
  const { api, clock, informer, events } = setup();
  api.seed(services, svc('a'));
  informer.start();
  await informer.synced();
  assert.equal(informer.hasSynced(), true);
  assert.ok(informer.get('default/a'));
  await clock.advance(0);
  api.seed(services, svc('b'));
  await api.delete(services, 'default', 'a');
  assert.deepEqual(events, ['add a', 'add b', 'delete a']);
  assert.equal(informer.get('default/a'), undefined);
  await informer.stop();
  assert.equal(api.openWatches(), 0);
});

test('a broken watch relists after backoff and delivers changes missed meanwhile', async () => {
  const { api, clock, informer, events } = setup();
  api.seed(services, svc('a'));
  api.seed(services, svc('gone'));
  informer.start();
  await informer.synced();
  await clock.advance(0);
  api.failNext('list', 1);
  api.breakWatches(new Error('connection reset'));
  assert.equal(api.openWatches(), 0);
  // Changes made while no watch is open must be caught up by the relist.
  await api.delete(services, 'default', 'gone');
  api.seed(services, svc('new'));
  assert.deepEqual(events, ['add a', 'add gone']);
  await clock.advance(800); // first backoff: list fails (injected)
  assert.equal(api.calls.list, 2);
  await clock.advance(1600); // second backoff: list succeeds
  assert.equal(api.calls.list, 3);
  assert.deepEqual(events, ['add a', 'add gone', 'add new', 'delete gone']);
  assert.equal(api.openWatches(), 1, 'watching again');
  await informer.stop();
});

test('after a compaction and a broken watch the relist picks up the current state', async () => {
  const { api, clock, informer } = setup();
  informer.start();
  await informer.synced();
  await clock.advance(0);
  api.compact();
  api.seed(services, svc('x'));
  api.breakWatches(new Error('network'));
  await clock.advance(800);
  // list succeeded at 800 ms, its watch starts from the current version: no 410
  assert.ok(informer.get('default/x'));
  assert.equal(api.openWatches(), 1);
  await informer.stop();
});

test('a watch ERROR event with code 410 triggers an immediate relist', async () => {
  const api = createFakeApiClient();
  const clock = createFakeClock();
  let lists = 0;
  const wrapped = {
    ...api,
    list: async (...args: Parameters<typeof api.list>) => {
      lists++;
      return api.list(...args);
    },
    watch: async (...args: Parameters<typeof api.watch>) => {
      const handle = await api.watch(...args);
      if (lists === 1) queueMicrotask(() => args[2]({ type: 'ERROR', object: { kind: 'Status', code: 410, message: 'too old' } }));
      return handle;
    },
  };
  const informer = createInformer({ client: wrapped, resource: services, clock, logger: pino({ level: 'silent' }) });
  informer.start();
  await informer.synced();
  await clock.advance(0);
  assert.equal(lists, 2, 'relisted without waiting for a backoff');
  await informer.stop();
});

test('assume overlays a just-written object until the watch catches up', async () => {
  const { api, clock, informer } = setup();
  informer.start();
  await informer.synced();
  await clock.advance(0);
  const z = { metadata: { namespace: 'default', name: 'z', uid: 'u-z', resourceVersion: '999' } };
  assert.equal(informer.assume(z), true);
  assert.equal((informer.get('default/z')!.metadata as JsonObject).resourceVersion, '999');
  informer.forget(z);
  assert.equal(informer.get('default/z'), undefined);
  await informer.stop();
  assert.equal(api.openWatches(), 0);
});

test('a watch refused with HTTP 410 relists at once without backoff', async () => {
  const api = createFakeApiClient();
  const clock = createFakeClock();
  let lists = 0;
  let watches = 0;
  const wrapped = {
    ...api,
    list: async (...args: Parameters<typeof api.list>) => {
      lists++;
      return api.list(...args);
    },
    watch: async (...args: Parameters<typeof api.watch>) => {
      if (++watches === 1) throw new ApiRequestError(410, 'Expired', 'too old resource version');
      return api.watch(...args);
    },
  };
  const informer = createInformer({ client: wrapped, resource: services, clock, logger: pino({ level: 'silent' }) });
  informer.start();
  await informer.synced();
  await clock.advance(0);
  assert.equal(lists, 2, 'relisted with no clock time passing');
  assert.equal(api.openWatches(), 1);
  await informer.stop();
});

test('stop while the watch request is still in flight ends the watch once it answers', async () => {
  const api = createFakeApiClient();
  const clock = createFakeClock();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const wrapped = {
    ...api,
    watch: async (...args: Parameters<typeof api.watch>) => {
      await gate; // response headers not there yet
      return api.watch(...args);
    },
  };
  const informer = createInformer({ client: wrapped, resource: services, clock, logger: pino({ level: 'silent' }) });
  informer.start();
  await informer.synced();
  const stopped = informer.stop();
  release();
  await stopped;
  assert.equal(api.openWatches(), 0);
});

test('transform trims objects before they are cached', async () => {
  const api = createFakeApiClient();
  const clock = createFakeClock();
  api.seed(services, { metadata: { namespace: 'default', name: 'a', managedFields: [{ manager: 'kubectl' }] } });
  const informer = createInformer({
    client: api,
    resource: services,
    clock,
    logger: pino({ level: 'silent' }),
    transform: (o) => {
      delete (o.metadata as JsonObject).managedFields;
      return o;
    },
  });
  informer.start();
  await informer.synced();
  assert.equal((informer.get('default/a')!.metadata as JsonObject).managedFields, undefined);
  await informer.stop();
});
