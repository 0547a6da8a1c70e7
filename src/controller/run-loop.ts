import type { Logger } from 'pino';
import type { JsonObject } from '../kube/types.js';
import { errorMessage } from '../kube/errors.js';
import type { Clock } from './clock.js';
import type { Informer } from './informer.js';
import type { ControllerMetrics } from './metrics.js';
import { createDefaultControllerRateLimiter } from './rate-limiter.js';
import { createWorkQueue, type WorkQueue } from './workqueue.js';

/**
 * The generic control loop, as controller-runtime's controller and
 * sample-controller build it: informers whose handlers only map objects to
 * queue keys, a rate-limited workqueue, N workers calling a reconciler, and
 * per result: success -> forget; requeueAfter -> forget, then add after the
 * delay; error -> rate-limited retry (a TerminalError is not retried), with
 * the controller-runtime metrics and a failure callback (events). A periodic
 * resync re-enqueues the keys of every cached object. Nothing here knows
 * what a binding or a claim is; binding-controller.ts wires one.
 */

/** TerminalError marks a failure that retrying cannot fix; the loop reports it and does not requeue. */
export class TerminalError extends Error {}

/** ReconcileResult tells the loop when to look again: empty means only on the next change (or resync). */
export interface ReconcileResult {
  /** requeueAfterMs looks at the key again after this long, without counting a failure. */
  requeueAfterMs?: number;
}

/** Reconciler syncs one key; it throws to be retried with backoff. */
export interface Reconciler {
  /** reconcile makes the world match the key's object as the caches see it. */
  reconcile(key: string): Promise<ReconcileResult>;
}

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
  /** resyncMs re-enqueues everything this often; default 10 min, 0 disables. */
  resyncMs?: number;
}

/** LoopSource is one informer and the queue keys its objects map to (its key mapper). */
export interface LoopSource {
  informer: Informer;
  /** keysOf maps a cached object to the keys to reconcile (e.g. itself, or its owner). */
  keysOf(obj: JsonObject): string[];
}

/** ControlLoopOptions configures runControlLoop. */
export interface ControlLoopOptions extends QueueTuning {
  /** name labels the metrics (`name`, `controller`) and the log lines. */
  name: string;
  sources: LoopSource[];
  reconciler: Reconciler;
  clock: Clock;
  logger: Logger;
  metrics: ControllerMetrics;
  /** onFailure reports a failed reconcile (e.g. a Warning event); it must not throw. */
  onFailure?(key: string, err: unknown, terminal: boolean): Promise<void>;
  /** onSuccess is told of a successful reconcile (e.g. to forget a remembered failure). */
  onSuccess?(key: string): void;
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
 * runControlLoop starts the informers, waits until all have synced, enqueues
 * every cached object's keys, runs the workers and the resync until signal
 * aborts, then shuts the queue down, waits for in-flight reconciles and stops
 * the informers. `onSynced` is called once the caches synced and the first
 * keys are queued.
 */
export async function runControlLoop(options: ControlLoopOptions, signal: AbortSignal, onSynced?: () => void): Promise<void> {
  const { name, sources, reconciler, clock, metrics, logger } = options;
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
  for (const { informer, keysOf } of sources) {
    const enqueue = (obj: JsonObject): void => keysOf(obj).forEach((key) => queue.add(key));
    informer.addHandlers({ onAdd: enqueue, onUpdate: (_old, obj) => enqueue(obj), onDelete: enqueue });
  }

  async function process(key: string): Promise<void> {
    const started = clock.now();
    metrics.activeWorkers.inc({ controller: name });
    try {
      const result = await reconciler.reconcile(key);
      queue.forget(key);
      options.onSuccess?.(key);
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
      await options.onFailure?.(key, err, terminal);
      if (terminal) queue.forget(key);
      else queue.addRateLimited(key);
    } finally {
      metrics.activeWorkers.dec({ controller: name });
      metrics.reconcileTime.observe({ controller: name }, (clock.now() - started) / 1000);
    }
  }

  const resyncAll = (): void => {
    for (const { informer, keysOf } of sources) for (const obj of informer.list()) keysOf(obj).forEach((key) => queue.add(key));
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

  for (const { informer } of sources) informer.start();
  const aborted = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  await Promise.race([Promise.all(sources.map(({ informer }) => informer.synced())), aborted]);
  const workers: Promise<void>[] = [];
  if (!signal.aborted) {
    resyncAll();
    logger.info({ cached: sources.map(({ informer }) => informer.list().length) }, 'caches synced, starting workers');
    for (let i = 0; i < (options.workers ?? 2); i++) workers.push(worker(queue, process));
    scheduleResync();
    onSynced?.();
  }
  await aborted;
  clock.clearTimeout(resyncTimer);
  queue.shutDown();
  await Promise.all(workers);
  await Promise.all(sources.map(({ informer }) => informer.stop()));
  logger.info('stopped');
}
