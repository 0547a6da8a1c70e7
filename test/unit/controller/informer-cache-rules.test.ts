/**
 * The informer cache's rules (docs/controller.md, "Cache rules"): it never
 * goes back in time, whatever order watch events, relists and the answers to
 * our own writes arrive in, and it ends equal to the API's state.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import pino from 'pino';
import type { JsonObject } from '../../../src/kube/types.js';
import type { ResourceRef } from '../../../src/controller/api-client.js';
import { createInformer, type Informer } from '../../../src/controller/informer.js';
import { resourceVersionOf } from '../../../src/kube/object-meta.js';
import { objectKey } from '../../../src/kube/object-key.js';
import { compareResourceVersions } from '../../../src/controller/resource-version.js';
import { createFakeApiClient, type FakeApiClient } from './fake-api-client.js';
import { createFakeClock, type FakeClock } from './fake-clock.js';
import { withLateResponses, type LateClient } from './late-responses.js';

const services: ResourceRef = { group: '', version: 'v1', resource: 'services', kind: 'Service', namespaced: true };
const logger = pino({ level: 'silent' });
const svc = (name: string, labels: Record<string, string> = {}): JsonObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { namespace: 'default', name, labels },
  spec: { type: 'LoadBalancer' },
});

interface World {
  api: FakeApiClient;
  late: LateClient;
  clock: FakeClock;
  informer: Informer;
}

async function world(): Promise<World> {
  const api = createFakeApiClient();
  const clock = createFakeClock();
  const late = withLateResponses(api);
  const informer = createInformer({ client: api, resource: services, clock, logger });
  informer.start();
  await informer.synced();
  await clock.advance(0);
  return { api, late, clock, informer };
}

/** cacheState and apiState are key -> resourceVersion maps, to compare the two. */
const cacheState = (i: Informer): Record<string, string> =>
  Object.fromEntries(i.list().map((o) => [objectKey(o), resourceVersionOf(o)]).sort());
const apiState = (api: FakeApiClient): Record<string, string> =>
  Object.fromEntries(api.all(services).map((o) => [objectKey(o), resourceVersionOf(o)]).sort());

test('resourceVersions compare as etcd revisions; opaque ones are not ordered', () => {
  assert.equal(compareResourceVersions('9', '10'), -1);
  assert.equal(compareResourceVersions('123456789012345678901', '123456789012345678900'), 1);
  assert.equal(compareResourceVersions('7', '7'), 0);
  assert.equal(compareResourceVersions('abc', '7'), undefined);
  assert.equal(compareResourceVersions('', '7'), undefined);
  assert.equal(compareResourceVersions('07', '7'), undefined);
});

test('a write answer older than the cached object is dropped', async () => {
  const { api, clock, informer } = await world();
  const v1 = api.seed(services, svc('a'));
  await clock.advance(0);
  await api.patch(services, 'default', 'a', { metadata: { labels: { step: '2' } } }, { type: 'merge' });
  await clock.advance(0);
  assert.equal(informer.assume(v1), false);
  assert.equal(resourceVersionOf(informer.get('default/a')!), resourceVersionOf(api.read(services, 'default', 'a')!));
  await informer.stop();
});

test('a write answer the watch stream has overtaken is dropped, even for an object deleted since', async () => {
  const { api, clock, informer } = await world();
  const v1 = api.seed(services, svc('a'));
  await api.delete(services, 'default', 'a');
  await clock.advance(0);
  assert.equal(informer.get('default/a'), undefined);
  assert.equal(informer.assume(v1), false, 'the watch delivered this version and a later deletion');
  assert.equal(informer.get('default/a'), undefined);
  await informer.stop();
});

test('a write answer ahead of the watch is kept until the watch catches up', async () => {
  const { api, clock, informer } = await world();
  api.holdWatchEvents();
  const created = api.seed(services, svc('a'));
  assert.equal(informer.assume(created), true);
  assert.equal(resourceVersionOf(informer.get('default/a')!), resourceVersionOf(created));
  api.releaseWatchEvents();
  await clock.advance(0);
  assert.equal(resourceVersionOf(informer.get('default/a')!), resourceVersionOf(created));
  await informer.stop();
});

test('a late watch event older than an assumed namesake does not delete it', async () => {
  const { api, clock, informer } = await world();
  api.seed(services, svc('a'));
  await clock.advance(0);
  api.holdWatchEvents();
  await api.delete(services, 'default', 'a');
  const again = api.seed(services, svc('a'));
  informer.assume(again); // our create's answer arrives before the old one's DELETED event
  api.releaseWatchEvents(1); // DELETED of the first 'a'
  assert.equal(resourceVersionOf(informer.get('default/a')!), resourceVersionOf(again));
  api.releaseWatchEvents();
  await clock.advance(0);
  assert.deepEqual(cacheState(informer), apiState(api));
  await informer.stop();
});

type Command =
  | { kind: 'ours'; op: 'create' | 'patch' | 'delete'; name: string }
  | { kind: 'theirs'; op: 'create' | 'patch' | 'delete'; name: string }
  | { kind: 'answer'; pick: number }
  | { kind: 'watch'; n: number }
  | { kind: 'drop' }
  | { kind: 'expire' }
  | { kind: 'restart'; failedLists: number }
  | { kind: 'tick'; ms: number };

const names = fc.constantFrom('a', 'b', 'c');
const op = fc.constantFrom('create' as const, 'patch' as const, 'delete' as const);
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('ours' as const), op, name: names }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('theirs' as const), op, name: names }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('answer' as const), pick: fc.nat(5) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('watch' as const), n: fc.integer({ min: 1, max: 4 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'drop' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'expire' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const), failedLists: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.constantFrom(0, 500, 1500) }) },
);

let bump = 0;
/** write carries out one write through `client`; ours also feed the answer back into the cache, as the reconciler does. */
function write(client: FakeApiClient | LateClient, informer: Informer | undefined, op: Command & { name: string }): Promise<void> {
  const ns = 'default';
  const run = async (): Promise<void> => {
    if (op.op === 'create') {
      const made = await client.create(services, svc(op.name));
      informer?.assume(made);
    } else if (op.op === 'patch') {
      const patched = await client.patch(services, ns, op.name, { metadata: { labels: { n: String(++bump) } } }, { type: 'merge' });
      informer?.assume(patched);
    } else {
      const before = informer?.get(`${ns}/${op.name}`);
      const left = await client.delete(services, ns, op.name);
      if (left) informer?.assume(left);
      else if (before) informer?.forget(before);
    }
  };
  return run().catch(() => undefined); // 404 and 409 answers are part of the game
}

async function play(commands: Command[], answersFirst: boolean): Promise<void> {
  const { api, late, clock, informer } = await world();
  late.hold();
  api.holdWatchEvents();
  const inFlight: Promise<void>[] = [];
  for (const c of commands) {
    switch (c.kind) {
      case 'ours':
        inFlight.push(write(late, informer, c));
        break;
      case 'theirs':
        await write(api, undefined, c);
        break;
      case 'answer':
        await late.release(1, (count) => c.pick % count);
        late.hold();
        break;
      case 'watch':
        api.releaseWatchEvents(c.n);
        break;
      case 'drop': // a dropped connection: events not yet sent are lost, the informer relists
        api.breakWatches(new Error('connection reset'));
        break;
      case 'expire': // etcd compaction: resuming the watch from its last version gets 410 Gone
        await clock.advance(1500);
        api.compact();
        api.breakWatches(null);
        break;
      case 'restart': // apiserver restart: watches fail, lists fail for a while
        if (c.failedLists > 0) api.failNext('list', c.failedLists);
        api.breakWatches(new Error('EOF'));
        break;
      case 'tick':
        await clock.advance(c.ms);
        break;
    }
    await clock.advance(0);
  }
  // Quiesce: the watch catches up and the late answers arrive, in either order (watch first is what used to
  // roll the cache back), then relists (with their backoff) complete.
  if (answersFirst) await late.release();
  api.releaseWatchEvents();
  await clock.advance(0);
  await late.release();
  await Promise.all(inFlight);
  for (let i = 0; i < 6; i++) await clock.advance(10_000);
  assert.deepEqual(cacheState(informer), apiState(api));
  await informer.stop();
}

test('property: the cache ends equal to the API after any interleaving of watch events, late answers, relists, 410s and restarts', async () => {
  await fc.assert(fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 40 }), fc.boolean(), play), { numRuns: 200 });
});
