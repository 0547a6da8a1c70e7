import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { JsonObject } from '../../../src/kube/types.js';
import { createLeaderElector, LEASES } from '../../../src/controller/leader-election.js';
import { LeaderElectionError } from '../../../src/controller/errors.js';
import { createControllerMetrics } from '../../../src/controller/metrics.js';
import { createFakeApiClient, type FakeApiClient } from './fake-api-client.js';
import { createFakeClock, type FakeClock } from './fake-clock.js';

const logger = pino({ level: 'silent' });

interface Candidate {
  stop: AbortController;
  leading: boolean;
  starts: number;
  done: Promise<boolean>;
}

function candidate(api: FakeApiClient, clock: FakeClock, identity: string, registry?: Registry): Candidate {
  const elector = createLeaderElector({
    client: api,
    clock,
    logger,
    namespace: 'portcullis-system',
    name: 'portcullis-controller',
    identity,
    metrics: registry ? createControllerMetrics(registry) : undefined,
    random: () => 0, // no jitter: attempts exactly every RetryPeriod (jitter has its own test)
  });
  const c: Candidate = { stop: new AbortController(), leading: false, starts: 0, done: Promise.resolve(false) };
  c.done = elector.run(c.stop.signal, async (leading) => {
    c.leading = true;
    c.starts++;
    await new Promise<void>((resolve) => leading.addEventListener('abort', () => resolve(), { once: true }));
    c.leading = false;
  });
  return c;
}

const holder = (api: FakeApiClient): string =>
  ((api.read(LEASES, 'portcullis-system', 'portcullis-controller')?.spec ?? {}) as JsonObject).holderIdentity as string;

test('a lone candidate creates the lease, leads, and reports leader_election_master_status', async () => {
  const api = createFakeApiClient();
  const clock = createFakeClock();
  const registry = new Registry();
  const a = candidate(api, clock, 'a', registry);
  await clock.advance(0);
  assert.equal(a.leading, true);
  assert.equal(holder(api), 'a');
  assert.match(await registry.metrics(), /leader_election_master_status\{name="portcullis-controller"\} 1/);
  const first = (api.read(LEASES, 'portcullis-system', 'portcullis-controller')!.spec as JsonObject).renewTime;
  await clock.advance(2000);
  const second = (api.read(LEASES, 'portcullis-system', 'portcullis-controller')!.spec as JsonObject).renewTime;
  assert.notEqual(first, second, 'renewed after one retry period');
  a.stop.abort();
  await a.done;
  assert.match(await registry.metrics(), /leader_election_master_status\{name="portcullis-controller"\} 0/);
});

test('a standby does not lead while the leader renews', async () => {
  const api = createFakeApiClient();
  const clock = createFakeClock();
  const a = candidate(api, clock, 'a');
  await clock.advance(0);
  const b = candidate(api, clock, 'b');
  await clock.advance(60_000);
  assert.equal(a.leading, true);
  assert.equal(b.leading, false);
  assert.equal(b.starts, 0);
  a.stop.abort();
  b.stop.abort();
  await Promise.all([a.done, b.done]);
});

test('a clean shutdown releases the lease and the standby takes over within one retry period', async () => {
  const api = createFakeApiClient();
  const clock = createFakeClock();
  const a = candidate(api, clock, 'a');
  await clock.advance(0);
  const b = candidate(api, clock, 'b');
  await clock.advance(5000);
  a.stop.abort();
  await a.done;
  assert.equal(holder(api), '');
  await clock.advance(2000);
  assert.equal(b.leading, true);
  assert.equal(holder(api), 'b');
  assert.equal((api.read(LEASES, 'portcullis-system', 'portcullis-controller')!.spec as JsonObject).leaseTransitions, 0);
  b.stop.abort();
  await b.done;
});

test('when the leader dies the standby takes over within LeaseDuration + 2 jittered retry periods', async () => {
  const api = createFakeApiClient();
  const clock = createFakeClock();
  const a = candidate(api, clock, 'a');
  await clock.advance(0);
  const b = candidate(api, clock, 'b');
  await clock.advance(1000);
  // "kill -9": a stops renewing without releasing (its lead work keeps going in this simulation).
  const wrappedUpdate = api.update;
  api.update = async (r, obj) => {
    if (((obj.spec ?? {}) as JsonObject).holderIdentity === 'a') throw new Error('a is dead');
    return wrappedUpdate(r, obj);
  };
  const lastRenew = Date.parse(
    (api.read(LEASES, 'portcullis-system', 'portcullis-controller')!.spec as JsonObject).renewTime as string,
  );
  while (!b.leading) await clock.advance(50);
  const took = clock.now() - lastRenew;
  // Seen up to one jittered period (2.2 x 2 s) after the renewal, tried up to one more after expiry.
  assert.ok(took <= 15_000 + 2 * 2.2 * 2_000, `took ${took} ms after the last renewal`);
  assert.ok(took >= 15_000, `not before the lease expired (took ${took} ms)`);
  assert.equal((api.read(LEASES, 'portcullis-system', 'portcullis-controller')!.spec as JsonObject).leaseTransitions, 1);
  // a could not renew, so it stopped leading within RenewDeadline of its last renewal.
  assert.equal(a.leading, false);
  assert.equal(await a.done, true, 'a reports lost leadership');
  b.stop.abort();
  await b.done;
});

test('a leader that cannot reach the API stops work within RenewDeadline', async () => {
  const api = createFakeApiClient();
  const clock = createFakeClock();
  const a = candidate(api, clock, 'a');
  await clock.advance(0);
  api.failNext('get', 1_000_000);
  const cutAt = clock.now();
  while (a.leading) await clock.advance(100);
  assert.ok(clock.now() - cutAt <= 10_000 + 100, `stopped after ${clock.now() - cutAt} ms`);
  assert.equal(await a.done, true);
});

test('timings are validated like client-go: all > 0, LeaseDuration > RenewDeadline > 1.2 x RetryPeriod', () => {
  const api = createFakeApiClient();
  const clock = createFakeClock();
  const base = { client: api, clock, logger, namespace: 'n', name: 'l', identity: 'i' };
  assert.throws(() => createLeaderElector({ ...base, leaseDurationMs: 10_000, renewDeadlineMs: 10_000 }), LeaderElectionError);
  assert.throws(() => createLeaderElector({ ...base, renewDeadlineMs: 2_000, retryPeriodMs: 2_000 }), LeaderElectionError);
  assert.throws(() => createLeaderElector({ ...base, renewDeadlineMs: 2_400, retryPeriodMs: 2_000 }), /1\.2 x retry period/);
  assert.throws(() => createLeaderElector({ ...base, retryPeriodMs: 0 }), /retry period must be greater than zero/);
  assert.throws(() => createLeaderElector({ ...base, retryPeriodMs: -5 }), LeaderElectionError);
  assert.throws(() => createLeaderElector({ ...base, retryPeriodMs: Number.NaN }), LeaderElectionError);
  assert.throws(() => createLeaderElector({ ...base, leaseDurationMs: 0, renewDeadlineMs: -1, retryPeriodMs: -2 }), /lease duration must be greater than zero/);
  assert.doesNotThrow(() => createLeaderElector({ ...base, leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 500 }));
  assert.doesNotThrow(() => createLeaderElector({ ...base, leaseDurationMs: 3000, renewDeadlineMs: 2401, retryPeriodMs: 2000 }));
});

/** standbyOfExpiredLease leaves a Lease held by "gone" that is long expired, and a candidate "b" seeing it. */
async function standbyOfExpiredLease(random: () => number): Promise<{ api: FakeApiClient; clock: FakeClock; b: ReturnType<typeof createLeaderElector> }> {
  const api = createFakeApiClient();
  const clock = createFakeClock();
  api.seed(LEASES, {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { namespace: 'portcullis-system', name: 'portcullis-controller' },
    spec: { holderIdentity: 'gone', leaseDurationSeconds: 15, renewTime: '2020-01-01T00:00:00.000000Z' },
  });
  const b = createLeaderElector({ client: api, clock, logger, namespace: 'portcullis-system', name: 'portcullis-controller', identity: 'b', random });
  return { api, clock, b };
}

test('a standby retries at RetryPeriod, never faster, while the apiserver is down (no storm)', async () => {
  const { api, clock, b } = await standbyOfExpiredLease(() => 0);
  api.failNext('update', 1_000_000, 503); // the lease can be read, not taken
  const stop = new AbortController();
  const done = b.run(stop.signal, async () => undefined);
  await clock.advance(16_000); // b has seen the lease unchanged for longer than LeaseDuration: expired
  api.failNext('get', 1_000_000, 503); // now the apiserver is down
  const before = api.calls.get ?? 0;
  await clock.advance(8_000);
  // One attempt per 2 s retry period: 8 s -> 4 more attempts (today's bug: one per millisecond).
  assert.equal((api.calls.get ?? 0) - before, 4);
  stop.abort();
  await done;
});

test('the expired lease is tried once per jittered period: between RetryPeriod and 2.2 x RetryPeriod', async () => {
  for (const [random, period] of [[0, 2000], [0.5, 3200], [0.999, 4397]] as const) {
    const { api, clock, b } = await standbyOfExpiredLease(() => random);
    api.failNext('update', 1_000_000, 503); // reads work, writes fail: keeps it a standby
    const stop = new AbortController();
    const done = b.run(stop.signal, async () => undefined);
    await clock.advance(0);
    const first = api.calls.get ?? 0;
    await clock.advance(period - 1);
    assert.equal(api.calls.get ?? 0, first, `random ${random}: not before ${period} ms`);
    await clock.advance(1);
    assert.equal(api.calls.get ?? 0, first + 1, `random ${random}: at ${period} ms`);
    stop.abort();
    await done;
  }
});

test('release on shutdown gives up after RenewDeadline when the apiserver hangs', async () => {
  const api = createFakeApiClient();
  const clock = createFakeClock();
  const a = candidate(api, clock, 'a');
  await clock.advance(0);
  assert.equal(a.leading, true);
  const realGet = api.get;
  api.get = () => new Promise(() => undefined); // hangs forever
  a.stop.abort();
  let settled = false;
  void a.done.then(() => (settled = true));
  await clock.advance(9_999);
  assert.equal(settled, false);
  await clock.advance(2);
  assert.equal(settled, true, 'stopped within the renew deadline');
  api.get = realGet;
});
