import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { JsonObject } from '../../../src/kube/types.js';
import type { ResourceRef } from '../../../src/controller/api-client.js';
import { createInformer } from '../../../src/controller/informer.js';
import { createControllerMetrics } from '../../../src/controller/metrics.js';
import { runControlLoop, TerminalError, type ReconcileResult } from '../../../src/controller/run-loop.js';
import { createFakeApiClient } from './fake-api-client.js';
import { createFakeClock } from './fake-clock.js';

const things: ResourceRef = { group: 'x.dev', version: 'v1', resource: 'things', kind: 'Thing', namespaced: true };
const logger = pino({ level: 'silent' });

/** loop runs the generic loop over one informer with a scripted reconciler; calls lists the keys reconciled, in order. */
async function loop(script: (key: string, attempt: number) => ReconcileResult | Error) {
  const api = createFakeApiClient();
  const clock = createFakeClock();
  const registry = new Registry();
  const metrics = createControllerMetrics(registry);
  const informer = createInformer({ client: api, resource: things, clock, logger });
  const calls: string[] = [];
  const failures: string[] = [];
  const attempts = new Map<string, number>();
  const stop = new AbortController();
  let synced!: () => void;
  const ready = new Promise<void>((r) => (synced = r));
  const done = runControlLoop(
    {
      name: 'things',
      clock,
      logger,
      metrics,
      sources: [{ informer, keysOf: (o: JsonObject) => [`ns/${(o.metadata as JsonObject).name as string}`] }],
      reconciler: {
        async reconcile(key) {
          const n = (attempts.get(key) ?? 0) + 1;
          attempts.set(key, n);
          calls.push(`${key}@${clock.now()}`);
          const r = script(key, n);
          if (r instanceof Error) throw r;
          return r;
        },
      },
      onFailure: async (key, err, terminal) => void failures.push(`${key} ${terminal ? 'terminal' : 'retry'}: ${(err as Error).message}`),
      resyncMs: 0,
    },
    stop.signal,
    () => synced(),
  );
  const metric = async (name: string, labels: Record<string, string>): Promise<number> =>
    (await registry.getSingleMetric(name)!.get()).values.filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x)).reduce((s, v) => s + v.value, 0);
  return { api, clock, calls, failures, stop, done, ready, metric, start: clock.now() };
}

test('run loop: success forgets, requeueAfter looks again after exactly that long', async () => {
  const l = await loop((_key, n) => (n === 1 ? { requeueAfterMs: 5000 } : {}));
  l.api.seed(things, { metadata: { namespace: 'ns', name: 'a' } });
  await l.ready;
  await l.clock.advance(0);
  await l.clock.advance(4999);
  assert.equal(l.calls.length, 1);
  await l.clock.advance(1);
  assert.deepEqual(l.calls, [`ns/a@${l.start}`, `ns/a@${l.start + 5000}`]);
  assert.equal(await l.metric('controller_runtime_reconcile_total', { controller: 'things', result: 'requeue_after' }), 1);
  assert.equal(await l.metric('controller_runtime_reconcile_total', { controller: 'things', result: 'success' }), 1);
  l.stop.abort();
  await l.done;
});

test('run loop: errors are retried with per-key backoff and reported; a TerminalError is reported once and not retried', async () => {
  const l = await loop((key, n) => (key === 'ns/bad' ? new TerminalError('name taken') : n <= 2 ? new Error(`boom ${n}`) : {}));
  l.api.seed(things, { metadata: { namespace: 'ns', name: 'flaky' } });
  l.api.seed(things, { metadata: { namespace: 'ns', name: 'bad' } });
  await l.ready;
  for (let i = 0; i < 10; i++) await l.clock.advance(10);
  const flaky = l.calls.filter((c) => c.startsWith('ns/flaky')).map((c) => Number(c.split('@')[1]) - l.start);
  assert.deepEqual(flaky, [0, 5, 15], 'backoff 5 ms, then 10 ms (client-go base delay doubling)');
  assert.equal(l.calls.filter((c) => c.startsWith('ns/bad')).length, 1);
  assert.deepEqual(l.failures.sort(), ['ns/bad terminal: name taken', 'ns/flaky retry: boom 1', 'ns/flaky retry: boom 2']);
  assert.equal(await l.metric('controller_runtime_reconcile_errors_total', { controller: 'things' }), 3);
  l.stop.abort();
  await l.done;
});
