import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { JsonObject } from '../../../src/kube/types.js';
import { createEventRecorder, EVENTS } from '../../../src/controller/events.js';
import { createFakeApiClient } from './fake-api-client.js';
import { createFakeClock } from './fake-clock.js';
import { CLAIMS, SERVICES, service } from './fixture.js';

function setup() {
  const api = createFakeApiClient();
  const clock = createFakeClock();
  const recorder = createEventRecorder({ client: api, clock, logger: pino({ level: 'silent' }), component: 'portcullis-controller', host: 'h1' });
  return { api, clock, recorder };
}

test('an event names the involved object, component and host', async () => {
  const { api, recorder } = setup();
  const svc = api.seed(SERVICES, service('web'));
  await recorder.record({ resource: SERVICES, object: svc, type: 'Normal', reason: 'Created', message: 'created X' });
  const [event] = api.all(EVENTS);
  assert.equal((event!.metadata as JsonObject).namespace, 'shop');
  assert.deepEqual(event!.involvedObject, { apiVersion: 'v1', kind: 'Service', name: 'web', uid: (svc.metadata as JsonObject).uid, resourceVersion: (svc.metadata as JsonObject).resourceVersion, namespace: 'shop' });
  assert.deepEqual(event!.source, { component: 'portcullis-controller', host: 'h1' });
  assert.equal(event!.count, 1);
});

test('identical events bump one Event count instead of creating more', async () => {
  const { api, clock, recorder } = setup();
  const svc = api.seed(SERVICES, service('web'));
  const failed = { resource: SERVICES, object: svc, type: 'Warning' as const, reason: 'Failed', message: 'boom' };
  await recorder.record(failed);
  await clock.advance(5000);
  await recorder.record(failed);
  await recorder.record(failed);
  await recorder.record({ ...failed, message: 'other' });
  const events = api.all(EVENTS);
  assert.equal(events.length, 2);
  const boom = events.find((e) => e.message === 'boom')!;
  assert.equal(boom.count, 3);
  assert.notEqual(boom.lastTimestamp, boom.firstTimestamp);
});

test('events of cluster-scoped objects go to the default namespace', async () => {
  const { api, recorder } = setup();
  const claim = api.seed(CLAIMS, { metadata: { name: 'shop.web' }, spec: {} });
  await recorder.record({ resource: CLAIMS, object: claim, type: 'Normal', reason: 'Updated', message: 'x' });
  const [event] = api.all(EVENTS);
  assert.equal((event!.metadata as JsonObject).namespace, 'default');
  assert.equal((event!.involvedObject as JsonObject).namespace, undefined);
});

test('an expired Event is recreated, and a failing API never throws', async () => {
  const { api, recorder } = setup();
  const svc = api.seed(SERVICES, service('web'));
  const spec = { resource: SERVICES, object: svc, type: 'Normal' as const, reason: 'Created', message: 'm' };
  await recorder.record(spec);
  const [first] = api.all(EVENTS);
  await api.delete(EVENTS, 'shop', (first!.metadata as JsonObject).name as string); // the 1 h TTL passed
  await recorder.record(spec);
  assert.equal(api.all(EVENTS).length, 1);
  api.failNext('create', 1);
  await recorder.record({ ...spec, reason: 'Other' }); // resolves despite the API error
  assert.equal(api.all(EVENTS).length, 1);
});
