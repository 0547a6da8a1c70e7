import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { createWorkQueue, type WorkQueue } from '../../../src/controller/workqueue.js';
import { createDefaultControllerRateLimiter } from '../../../src/controller/rate-limiter.js';
import { createControllerMetrics } from '../../../src/controller/metrics.js';
import { createFakeClock, type FakeClock } from './fake-clock.js';

function setup(): { clock: FakeClock; queue: WorkQueue<string>; registry: Registry } {
  const clock = createFakeClock();
  const registry = new Registry();
  const queue = createWorkQueue<string>({
    name: 'test',
    clock,
    rateLimiter: createDefaultControllerRateLimiter<string>({ clock }),
    metrics: createControllerMetrics(registry),
  });
  return { clock, queue, registry };
}

test('duplicate adds of a waiting key collapse into one entry', async () => {
  const { queue } = setup();
  queue.add('a');
  queue.add('b');
  queue.add('a');
  assert.equal(queue.len(), 2);
  assert.equal(await queue.get(), 'a');
  assert.equal(await queue.get(), 'b');
  assert.equal(queue.len(), 0);
});

test('a key re-added while processing is not handed to a second worker until done', async () => {
  const { queue } = setup();
  queue.add('a');
  const first = await queue.get();
  queue.add('a');
  assert.equal(queue.len(), 0, 'not queued while processing');
  let second: string | undefined;
  void queue.get().then((k) => (second = k));
  await new Promise((r) => setImmediate(r));
  assert.equal(second, undefined, 'second worker still waiting');
  queue.done(first!);
  await new Promise((r) => setImmediate(r));
  assert.equal(second, 'a', 'handed out again after done');
});

test('a key not re-added during processing is not requeued by done', async () => {
  const { queue } = setup();
  queue.add('a');
  queue.done((await queue.get())!);
  assert.equal(queue.len(), 0);
});

test('waiting getters receive keys in FIFO order', async () => {
  const { queue } = setup();
  const got: string[] = [];
  void queue.get().then((k) => got.push(`w1:${k}`));
  void queue.get().then((k) => got.push(`w2:${k}`));
  queue.add('x');
  queue.add('y');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(got, ['w1:x', 'w2:y']);
});

test('addAfter delays a key and keeps only the earliest deadline', async () => {
  const { clock, queue } = setup();
  queue.addAfter('a', 1000);
  queue.addAfter('a', 500);
  queue.addAfter('a', 2000);
  await clock.advance(499);
  assert.equal(queue.len(), 0);
  await clock.advance(1);
  assert.equal(queue.len(), 1);
  await clock.advance(5000);
  assert.equal(queue.len(), 1, 'later deadlines were dropped');
});

test('addRateLimited backs off exponentially per key and forget resets it', async () => {
  const { clock, queue, registry } = setup();
  const delays: number[] = [];
  for (let i = 0; i < 4; i++) {
    const start = clock.now();
    queue.addRateLimited('a');
    while (queue.len() === 0) await clock.advance(1);
    delays.push(clock.now() - start);
    queue.done((await queue.get())!);
  }
  assert.deepEqual(delays, [5, 10, 20, 40]);
  assert.equal(queue.numRequeues('a'), 4);
  queue.forget('a');
  assert.equal(queue.numRequeues('a'), 0);
  const retries = await registry.getSingleMetric('workqueue_retries_total')!.get();
  assert.equal(retries.values[0]?.value, 4);
});

test('shutDown releases waiting getters and drops delayed keys', async () => {
  const { clock, queue } = setup();
  const pending = queue.get();
  queue.addAfter('a', 10);
  queue.shutDown();
  assert.equal(await pending, undefined);
  await clock.advance(100);
  assert.equal(queue.len(), 0);
  queue.add('b');
  assert.equal(await queue.get(), undefined);
  assert.equal(clock.pending(), 0);
});

test('metrics track depth, adds and queue duration under controller-runtime names', async () => {
  const { clock, queue, registry } = setup();
  queue.add('a');
  queue.add('a');
  queue.add('b');
  const depth = await registry.getSingleMetric('workqueue_depth')!.get();
  assert.equal(depth.values[0]?.value, 2);
  const adds = await registry.getSingleMetric('workqueue_adds_total')!.get();
  assert.equal(adds.values[0]?.value, 2, 'collapsed add is not counted');
  await clock.advance(250);
  await queue.get();
  const text = await registry.metrics();
  assert.match(text, /workqueue_queue_duration_seconds_sum\{name="test"\} 0\.25/);
});
