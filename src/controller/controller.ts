import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ApiClient } from './api-client.js';
import type { Binding } from './binding.js';
import { runBindingController } from './binding-controller.js';
import type { QueueTuning } from './run-loop.js';
import { reconcileBindingRecord } from './binding-teardown.js';
import { realClock, sleep, type Clock } from './clock.js';
import { withWriteCounting } from './counting-client.js';
import { errorMessage } from '../kube/errors.js';
import { createEventRecorder } from './events.js';
import { createLeaderElector } from './leader-election.js';
import { createControllerMetrics } from './metrics.js';

/**
 * The companion controller: for every binding, a control loop keeping
 * cluster-scoped CRs in step with the source objects they stand for. With
 * leader election on, only the lease holder lists, watches and writes;
 * standbys only try the lease. `portcullis controller` runs it alone and
 * `portcullis serve --controller` embeds it next to the webhook server.
 */

/** LeaderElectionOptions configures the Lease; see createLeaderElector for the semantics. */
export interface LeaderElectionOptions {
  /** namespace and name of the Lease; defaults `portcullis-system` / `portcullis-controller`. */
  namespace?: string;
  name?: string;
  /** identity of this process; must be unique among candidates. */
  identity: string;
  /** defaults 15 s / 10 s / 2 s. */
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

/** ControllerOptions configures createController. */
export interface ControllerOptions extends QueueTuning {
  client: ApiClient;
  bindings: Binding[];
  logger: Logger;
  /** registry receives the controller metrics (controller-runtime names). */
  registry: Registry;
  /** clock defaults to the real one. */
  clock?: Clock;
  /** leaderElection enables the Lease; omit (or false) to run unconditionally. */
  leaderElection?: LeaderElectionOptions | false;
  /** component is the event source name; default `portcullis-controller`. */
  component?: string;
  /** host names this process in events (reportingInstance). */
  host?: string;
}

/** Controller is a startable, stoppable companion controller. */
export interface Controller {
  /** start begins (campaigning for the lease, then) running every binding; resolves at once. */
  start(): void;
  /** stop ends all work, waits for in-flight reconciles and releases the lease; idempotent. */
  stop(): Promise<void>;
  /** isLeader tells whether this process is doing the work right now. */
  isLeader(): boolean;
  /** synced resolves once every binding's caches have synced in the first leadership term (or on stop). */
  synced(): Promise<void>;
  /**
   * done settles when the controller has ended: resolves after stop(),
   * rejects with the error when a control loop crashed (the controller then
   * stops on its own, releasing the lease, so the process can exit non-zero
   * and the kubelet restart it, as controller-runtime's manager does).
   */
  done(): Promise<void>;
  /** healthy is the liveness probe: started and not crashed. */
  healthy(): boolean;
  /** ready is the readiness probe: started, not stopping, and, while leading, every binding's caches synced. */
  ready(): boolean;
}

/** createController wires the pieces; no request is made before start. */
export function createController(options: ControllerOptions): Controller {
  const { bindings, logger } = options;
  const clock = options.clock ?? realClock;
  const metrics = createControllerMetrics(options.registry);
  const client = withWriteCounting(options.client, metrics);
  const recorder = createEventRecorder({
    client,
    clock,
    logger,
    component: options.component ?? 'portcullis-controller',
    host: options.host,
  });
  const le = options.leaderElection || undefined;
  const leaseNamespace = (le && le.namespace) || 'portcullis-system';
  const leaseName = (le && le.name) || 'portcullis-controller';
  const elector = le
    ? createLeaderElector({
        client,
        clock,
        logger,
        metrics,
        namespace: leaseNamespace,
        name: leaseName,
        identity: le.identity,
        leaseDurationMs: le.leaseDurationMs,
        renewDeadlineMs: le.renewDeadlineMs,
        retryPeriodMs: le.retryPeriodMs,
      })
    : undefined;
  const stopping = new AbortController();
  let running: Promise<void> | undefined;
  let leading = false;
  let markSynced!: () => void;
  const syncedPromise = new Promise<void>((resolve) => (markSynced = resolve));
  stopping.signal.addEventListener('abort', () => markSynced(), { once: true });

  let crashed: unknown;
  let termSynced = false;
  /** crash records the first failure of a control loop and stops everything (the lease is released on the way out). */
  const crash = (err: unknown): void => {
    if (crashed === undefined) {
      crashed = err ?? new Error('controller crashed');
      logger.error({ err: errorMessage(err) }, 'controller crashed');
    }
    stopping.abort();
  };

  async function lead(signal: AbortSignal): Promise<void> {
    leading = true;
    termSynced = false;
    let pending = bindings.length;
    const onSynced = (): void => {
      if (--pending > 0) return;
      termSynced = true;
      markSynced();
    };
    if (pending === 0) onSynced();
    try {
      // Only a lease holder has a record of earlier bindings to clean up after.
      if (elector) await reconcileBindingRecord({ client, logger, bindings, leaseNamespace, leaseName });
      await Promise.all(bindings.map((binding) => runBindingController({ ...options, binding, client, clock, logger, metrics, recorder }, signal, onSynced)));
    } catch (err) {
      // A loop that throws is a bug, not a fault of the cluster: retrying in-process could spin; exit and be restarted.
      crash(err);
    } finally {
      leading = false;
      termSynced = false;
    }
  }

  async function run(): Promise<void> {
    if (!elector) return lead(stopping.signal);
    while (!stopping.signal.aborted) {
      const lost = await elector.run(stopping.signal, lead);
      if (lost) logger.warn('leadership lost; campaigning again');
      // A term that ended must not leave a half-stopped loop behind: start clean after a pause.
      if (!stopping.signal.aborted) await sleep(clock, 1000, stopping.signal);
    }
  }

  return {
    start() {
      if (running) return;
      logger.info({ bindings: bindings.map((b) => b.name), leaderElection: Boolean(elector) }, 'controller starting');
      running = run().catch(crash);
    },
    async stop() {
      stopping.abort();
      await running;
    },
    async done() {
      await (running ?? Promise.resolve());
      if (crashed !== undefined) throw crashed;
    },
    isLeader: () => leading,
    synced: () => syncedPromise,
    healthy: () => running !== undefined && crashed === undefined,
    ready: () => running !== undefined && !stopping.signal.aborted && (!leading || termSynced),
  };
}
