import type { Logger } from 'pino';
import type { JsonObject } from '../kube/types.js';
import { isJsonObject } from '../kube/types.js';
import type { ApiClient, ResourceRef } from './api-client.js';
import { sleep, type Clock } from './clock.js';
import { errorMessage } from '../kube/errors.js';
import { isNotFound, LeaderElectionError } from './errors.js';
import type { ControllerMetrics } from './metrics.js';

/**
 * Leader election over a coordination.k8s.io/v1 Lease, following client-go's
 * leaderelection package: candidates retry every RetryPeriod stretched by a
 * random jitter of up to JITTER_FACTOR (measured from the end of the previous
 * attempt, never sooner, so an apiserver that is down or recovering sees one
 * request per candidate per period, not a storm); a lease is
 * valid for LeaseDuration after this process last *saw it change* (local
 * observed time, so clock skew between hosts does not matter); the leader
 * renews every RetryPeriod and gives up if it could not renew within
 * RenewDeadline; a clean shutdown releases the lease (empty holder) so a
 * standby takes over at its next retry instead of waiting for expiry.
 */

/** LEASES is the coordination.k8s.io/v1 leases resource. */
export const LEASES: ResourceRef = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases', kind: 'Lease', namespaced: true };

/** JITTER_FACTOR is client-go's: a candidate waits RetryPeriod x (1 + random x 1.2) between attempts. */
export const JITTER_FACTOR = 1.2;

/** LeaderElectorOptions configures createLeaderElector. */
export interface LeaderElectorOptions {
  client: ApiClient;
  clock: Clock;
  logger: Logger;
  metrics?: ControllerMetrics;
  /** namespace and name of the Lease. */
  namespace: string;
  name: string;
  /** identity of this candidate (unique per process, e.g. `<hostname>_<random>`). */
  identity: string;
  /** leaseDurationMs: how long a non-renewed lease stays valid; default 15 s. */
  leaseDurationMs?: number;
  /** renewDeadlineMs: how long the leader keeps trying to renew before giving up; default 10 s. */
  renewDeadlineMs?: number;
  /** retryPeriodMs: pause between attempts (a candidate's is jittered, see JITTER_FACTOR); default 2 s. */
  retryPeriodMs?: number;
  /** random returns a number in [0, 1) for the jitter; default Math.random. */
  random?: () => number;
}

/**
 * validateLeaseTimings checks client-go's bounds: every duration is positive
 * and LeaseDuration > RenewDeadline > JITTER_FACTOR x RetryPeriod (so a
 * leader has time for more than one renewal attempt before its deadline, and
 * its deadline passes before a standby may take the lease).
 */
export function validateLeaseTimings(t: { leaseDurationMs: number; renewDeadlineMs: number; retryPeriodMs: number }): void {
  const named: Array<[string, number]> = [
    ['lease duration', t.leaseDurationMs],
    ['renew deadline', t.renewDeadlineMs],
    ['retry period', t.retryPeriodMs],
  ];
  for (const [what, ms] of named) {
    if (!Number.isFinite(ms) || ms < 1) throw new LeaderElectionError(`${what} must be greater than zero (got ${ms} ms)`);
  }
  if (!(t.leaseDurationMs > t.renewDeadlineMs)) {
    throw new LeaderElectionError(`lease duration (${t.leaseDurationMs} ms) must be greater than renew deadline (${t.renewDeadlineMs} ms)`);
  }
  if (!(t.renewDeadlineMs > JITTER_FACTOR * t.retryPeriodMs)) {
    throw new LeaderElectionError(
      `renew deadline (${t.renewDeadlineMs} ms) must be greater than ${JITTER_FACTOR} x retry period (${t.retryPeriodMs} ms)`,
    );
  }
}

/** LeaderElector runs one candidate. */
export interface LeaderElector {
  /**
   * run waits until elected (or signal aborts), then calls lead with a signal
   * that aborts when leadership is lost or signal aborts; lead's promise
   * should settle soon after. Resolves after releasing the lease (if held and
   * signal aborted). Returns true if leadership was held and then lost.
   */
  run(signal: AbortSignal, lead: (leading: AbortSignal) => Promise<void>): Promise<boolean>;
  /** isLeader tells whether this process holds the lease right now. */
  isLeader(): boolean;
}

interface Observed {
  holder: string;
  renewTime: string;
  resourceVersion: string;
}

function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

/** createLeaderElector validates the timings and returns an idle candidate (no I/O until run). */
export function createLeaderElector(options: LeaderElectorOptions): LeaderElector {
  const { client, clock, logger, namespace, name, identity } = options;
  const leaseDuration = options.leaseDurationMs ?? 15_000;
  const renewDeadline = options.renewDeadlineMs ?? 10_000;
  const retryPeriod = options.retryPeriodMs ?? 2_000;
  validateLeaseTimings({ leaseDurationMs: leaseDuration, renewDeadlineMs: renewDeadline, retryPeriodMs: retryPeriod });
  const random = options.random ?? Math.random;
  let observed: Observed | undefined;
  let observedAt = 0;
  let leader = false;
  const setLeader = (value: boolean): void => {
    leader = value;
    options.metrics?.leaderStatus.set({ name }, value ? 1 : 0);
  };

  function observe(lease: JsonObject): Observed {
    const spec = isJsonObject(lease.spec) ? lease.spec : {};
    const meta = isJsonObject(lease.metadata) ? lease.metadata : {};
    const next: Observed = {
      holder: typeof spec.holderIdentity === 'string' ? spec.holderIdentity : '',
      renewTime: typeof spec.renewTime === 'string' ? spec.renewTime : '',
      resourceVersion: typeof meta.resourceVersion === 'string' ? meta.resourceVersion : '',
    };
    if (!observed || observed.holder !== next.holder || observed.renewTime !== next.renewTime) observedAt = clock.now();
    observed = next;
    return next;
  }

  function leaseSpec(prev: JsonObject | undefined): JsonObject {
    const now = microTime(clock.now());
    const spec = prev && isJsonObject(prev.spec) ? prev.spec : {};
    const sameHolder = spec.holderIdentity === identity;
    const transitions = typeof spec.leaseTransitions === 'number' ? spec.leaseTransitions : 0;
    return {
      holderIdentity: identity,
      leaseDurationSeconds: Math.max(1, Math.ceil(leaseDuration / 1000)),
      acquireTime: sameHolder && typeof spec.acquireTime === 'string' ? spec.acquireTime : now,
      renewTime: now,
      leaseTransitions: prev && !sameHolder && spec.holderIdentity ? transitions + 1 : transitions,
    };
  }

  /** tryAcquireOrRenew makes one attempt; true when we hold the lease afterwards. */
  async function tryAcquireOrRenew(): Promise<boolean> {
    let lease: JsonObject;
    try {
      lease = await client.get(LEASES, namespace, name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      const created = await client.create(LEASES, {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { namespace, name },
        spec: leaseSpec(undefined),
      });
      observe(created);
      return true;
    }
    const before = observed?.holder;
    const seen = observe(lease);
    if (seen.holder !== '' && seen.holder !== identity && observedAt + leaseDuration > clock.now()) {
      if (before !== seen.holder) logger.info({ lease: `${namespace}/${name}`, holder: seen.holder }, 'lease held by another candidate, standing by');
      return false;
    }
    const updated = await client.update(LEASES, { ...lease, spec: leaseSpec(lease) });
    observe(updated);
    return true;
  }

  async function attempt(): Promise<boolean> {
    try {
      return await tryAcquireOrRenew();
    } catch (err) {
      logger.warn({ err: errorMessage(err), lease: `${namespace}/${name}` }, 'lease attempt failed');
      return false;
    }
  }

  /** jitteredRetry is client-go's wait.Jitter(RetryPeriod, JitterFactor): never less than RetryPeriod. */
  const jitteredRetry = (): number => retryPeriod + Math.floor(Math.min(Math.max(random(), 0), 1) * JITTER_FACTOR * retryPeriod);

  /** withDeadline settles with fallback once ms have passed, whatever work does (a hung request must not hold us). */
  async function withDeadline<T>(work: Promise<T>, ms: number, fallback: T): Promise<T> {
    const timer = new AbortController();
    try {
      return await Promise.race([work, sleep(clock, ms, timer.signal).then(() => fallback)]);
    } finally {
      timer.abort();
    }
  }

  async function release(): Promise<void> {
    await withDeadline(releaseOnce(), renewDeadline, undefined);
  }

  async function releaseOnce(): Promise<void> {
    try {
      const lease = await client.get(LEASES, namespace, name);
      if (observe(lease).holder !== identity) return;
      const spec = { ...(lease.spec as JsonObject), holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(clock.now()) };
      await client.update(LEASES, { ...lease, spec });
      logger.info({ lease: `${namespace}/${name}` }, 'released lease');
    } catch (err) {
      logger.warn({ err: errorMessage(err) }, 'lease release failed');
    }
  }

  return {
    isLeader: () => leader,
    async run(signal, lead) {
      while (!signal.aborted && !(await attempt())) await sleep(clock, jitteredRetry(), signal);
      if (signal.aborted) return false;
      setLeader(true);
      logger.info({ lease: `${namespace}/${name}`, identity }, 'became leader');
      const leading = new AbortController();
      const onAbort = (): void => leading.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      const work = lead(leading.signal).catch((err: unknown) => {
        logger.error({ err: errorMessage(err) }, 'leader work failed');
        leading.abort();
      });
      let lastRenew = clock.now();
      while (!leading.signal.aborted) {
        await sleep(clock, retryPeriod, leading.signal);
        if (leading.signal.aborted) break;
        // Bound each renewal by what is left of the deadline, so a hung request cannot keep us leading.
        const left = Math.max(0, renewDeadline - (clock.now() - lastRenew));
        const renewed = await withDeadline(attempt(), left, false);
        if (renewed) lastRenew = clock.now();
        else if (clock.now() - lastRenew >= renewDeadline || (observed && observed.holder !== identity)) {
          logger.warn({ lease: `${namespace}/${name}` }, 'lost leadership');
          leading.abort();
        }
      }
      signal.removeEventListener('abort', onAbort);
      setLeader(false);
      await work;
      if (signal.aborted) {
        await release();
        return false;
      }
      return true;
    },
  };
}
