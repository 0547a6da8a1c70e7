import type { Logger } from 'pino';
import type { JsonObject } from '../kube/types.js';
import { isJsonObject } from '../kube/types.js';
import type { ApiClient } from './api-client.js';
import type { Binding } from './binding.js';
import type { Clock } from './clock.js';
import { errorMessage } from '../kube/errors.js';
import type { EventRecorder } from './events.js';
import { createInformer } from './informer.js';
import type { ControllerMetrics } from './metrics.js';
import { createDefaultControllerRateLimiter } from './rate-limiter.js';
import { BINDING_LABEL, claimIndexers, createReconciler, sourceKeyOfClaim, TerminalError } from './reconciler.js';
import { objectKey } from '../kube/object-key.js';
import { resourceVersionOf } from '../kube/object-meta.js';
import { createWorkQueue, type WorkQueue } from './workqueue.js';

/**
 * One binding's control loop for one leadership term: two informers (the
 * source kind, and the binding's CRs selected by label) that only enqueue
 * source keys, a rate-limited workqueue, N workers calling the reconciler,
 * and a periodic resync that re-enqueues every source and every CR's source
 * (the orphan sweep). Work stops when the signal aborts.
 */

/** QueueTuning are the workqueue knobs (client-go defaults). */
export interface QueueTuning {
  /** workers reconciling in parallel; default 2. A key is never processed by two at once. */
  workers?: number;
  /** baseDelayMs / maxDelayMs of the per-item backoff; defaults 5 ms / 1000 s. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** qps / burst of the overall retry bucket; defaults 10 / 100. */
  qps?: number;
  burst?: number;
  /** resyncMs re-enqueues everything (and sweeps orphans) this often; default 10 min, 0 disables. */
  resyncMs?: number;
}

/** BindingControllerOptions configures runBindingController. */
export interface BindingControllerOptions extends QueueTuning {
  binding: Binding;
  client: ApiClient;
  clock: Clock;
  logger: Logger;
  metrics: ControllerMetrics;
  recorder: EventRecorder;
}

/** dropManagedFields trims server-side-apply bookkeeping the reconciler never reads (often half an object's size). */
function dropManagedFields(obj: JsonObject): JsonObject {
  if (isJsonObject(obj.metadata) && 'managedFields' in obj.metadata) delete obj.metadata.managedFields;
  return obj;
}

async function worker(queue: WorkQueue<string>, process: (key: string) => Promise<void>): Promise<void> {
  for (;;) {
    const key = await queue.get();
    if (key === undefined) return;
    try {
      await process(key);
    } finally {
      queue.done(key);
    }
  }
}

/**
 * runBindingController runs the loop until signal aborts, then shuts the
 * queue down, waits for in-flight reconciles and stops the informers.
 * `onSynced` is called once both caches have synced and the sweep is queued.
 */
export async function runBindingController(options: BindingControllerOptions, signal: AbortSignal, onSynced?: () => void): Promise<void> {
  const { binding, client, clock, metrics, recorder } = options;
  const logger = options.logger.child({ binding: binding.name });
  const name = binding.name;
  const sources = createInformer({ client, clock, logger, resource: binding.source, transform: dropManagedFields });
  const claims = createInformer({
    client,
    clock,
    logger,
    resource: binding.target,
    transform: dropManagedFields,
    labelSelector: `${BINDING_LABEL}=${binding.name}`,
    indexers: claimIndexers,
  });
  const queue = createWorkQueue<string>({
    name,
    clock,
    metrics,
    rateLimiter: createDefaultControllerRateLimiter<string>({
      clock,
      baseDelayMs: options.baseDelayMs,
      maxDelayMs: options.maxDelayMs,
      qps: options.qps,
      burst: options.burst,
    }),
  });
  const enqueueSource = (obj: Parameters<typeof objectKey>[0]): void => queue.add(objectKey(obj));
  const enqueueOwner = (obj: Parameters<typeof objectKey>[0]): void => {
    const key = sourceKeyOfClaim(obj);
    if (key) queue.add(key);
  };
  sources.addHandlers({ onAdd: enqueueSource, onUpdate: (_o, n) => enqueueSource(n), onDelete: enqueueSource });
  claims.addHandlers({ onAdd: enqueueOwner, onUpdate: (_o, n) => enqueueOwner(n), onDelete: enqueueOwner });
  const reconciler = createReconciler({ binding, client, sources, claims, recorder, logger });

  // The last terminal failure per key (source version + message): a resync that fails the same way on an
  // unchanged source records nothing, so a terminal error makes one Failed event, not one per resync.
  const lastTerminal = new Map<string, string>();

  async function recordFailure(key: string, err: unknown, terminal: boolean): Promise<void> {
    const src = sources.get(key);
    if (!src) return;
    const message = errorMessage(err);
    if (terminal) {
      const signature = `${resourceVersionOf(src)}\u0000${message}`;
      if (lastTerminal.get(key) === signature) return;
      lastTerminal.set(key, signature);
    }
    await recorder.record({ resource: binding.source, object: src, type: 'Warning', reason: 'Failed', message });
  }

  async function process(key: string): Promise<void> {
    const started = clock.now();
    metrics.activeWorkers.inc({ controller: name });
    try {
      const result = await reconciler.reconcile(key);
      queue.forget(key);
      lastTerminal.delete(key);
      if (result.requeueAfterMs !== undefined) {
        queue.addAfter(key, result.requeueAfterMs);
        metrics.reconcileTotal.inc({ controller: name, result: 'requeue_after' });
      } else {
        metrics.reconcileTotal.inc({ controller: name, result: 'success' });
      }
    } catch (err) {
      metrics.reconcileTotal.inc({ controller: name, result: 'error' });
      metrics.reconcileErrors.inc({ controller: name });
      const terminal = err instanceof TerminalError;
      logger.warn({ key, err: errorMessage(err), terminal, retries: queue.numRequeues(key) }, 'reconcile failed');
      await recordFailure(key, err, terminal);
      if (terminal) queue.forget(key);
      else queue.addRateLimited(key);
    } finally {
      metrics.activeWorkers.dec({ controller: name });
      metrics.reconcileTime.observe({ controller: name }, (clock.now() - started) / 1000);
    }
  }

  const resyncAll = (): void => {
    for (const obj of sources.list()) enqueueSource(obj);
    for (const obj of claims.list()) enqueueOwner(obj);
  };

  let resyncTimer: unknown;
  const scheduleResync = (): void => {
    const every = options.resyncMs ?? 600_000;
    if (every <= 0 || signal.aborted) return;
    resyncTimer = clock.setTimeout(() => {
      logger.debug('resync');
      resyncAll();
      scheduleResync();
    }, every);
  };

  sources.start();
  claims.start();
  const aborted = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  await Promise.race([Promise.all([sources.synced(), claims.synced()]), aborted]);
  const workers: Promise<void>[] = [];
  if (!signal.aborted) {
    // Orphan sweep at start: every CR's source is looked at, so CRs whose source vanished while we were away go.
    resyncAll();
    logger.info({ sources: sources.list().length, claims: claims.list().length }, 'caches synced, starting workers');
    for (let i = 0; i < (options.workers ?? 2); i++) workers.push(worker(queue, process));
    scheduleResync();
    onSynced?.();
  }
  await aborted;
  clock.clearTimeout(resyncTimer);
  queue.shutDown();
  await Promise.all(workers);
  await Promise.all([sources.stop(), claims.stop()]);
  logger.info('stopped');
}
