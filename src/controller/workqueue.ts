import type { Clock, TimerHandle } from './clock.js';
import type { ControllerMetrics } from './metrics.js';
import type { RateLimiter } from './rate-limiter.js';

/**
 * A rate-limited work queue with client-go's guarantees:
 * - a key added while it is already waiting is collapsed into one entry;
 * - a key is never handed to two workers at once: one re-added while being
 *   processed is queued again only when the worker calls done;
 * - addAfter delays a key (the earliest pending deadline wins);
 * - addRateLimited delays it by the rate limiter (per-item backoff and overall bucket).
 */

/** WorkQueue is the queue workers pull keys from. */
export interface WorkQueue<K> {
  /** add queues key now unless it is already waiting (or the queue is shut down). */
  add(key: K): void;
  /** addAfter queues key after ms milliseconds; a sooner pending deadline for the same key wins. */
  addAfter(key: K, ms: number): void;
  /** addRateLimited queues key after the rate limiter's delay and counts a retry. */
  addRateLimited(key: K): void;
  /** forget clears key's backoff history (after a successful sync). */
  forget(key: K): void;
  /** numRequeues reports how often key was rate-limited since its last forget. */
  numRequeues(key: K): number;
  /** get resolves with the next key, or undefined once the queue is shut down and (if draining) empty. */
  get(): Promise<K | undefined>;
  /** done marks key finished; if it was re-added meanwhile it is queued again. */
  done(key: K): void;
  /** len is the number of keys waiting (not delayed, not processing). */
  len(): number;
  /** shutDown stops accepting keys, cancels delayed ones and releases every waiting get. */
  shutDown(): void;
  /** isShuttingDown tells whether shutDown was called. */
  isShuttingDown(): boolean;
}

/** WorkQueueOptions configures createWorkQueue. */
export interface WorkQueueOptions<K> {
  /** name labels the queue's metrics (`workqueue_*{name}`). */
  name: string;
  /** clock for delays and durations. */
  clock: Clock;
  /** rateLimiter decides addRateLimited delays; see createDefaultControllerRateLimiter. */
  rateLimiter: RateLimiter<K>;
  /** metrics receives queue metrics; omit in tests that do not look at them. */
  metrics?: ControllerMetrics;
}

/** createWorkQueue returns an empty queue; it starts no timers until keys are delayed. */
export function createWorkQueue<K>(options: WorkQueueOptions<K>): WorkQueue<K> {
  const { name, clock, rateLimiter, metrics } = options;
  const queue: K[] = [];
  const dirty = new Set<K>();
  const processing = new Set<K>();
  const addedAt = new Map<K, number>();
  const startedAt = new Map<K, number>();
  const delayed = new Map<K, { at: number; timer: TimerHandle }>();
  const waiters: Array<(key: K | undefined) => void> = [];
  let shuttingDown = false;

  const setDepth = (): void => metrics?.workqueueDepth.set({ name }, queue.length);

  function push(key: K): void {
    const waiter = waiters.shift();
    if (waiter) {
      hand(key, waiter);
      return;
    }
    queue.push(key);
    setDepth();
  }

  function hand(key: K, resolve: (key: K) => void): void {
    dirty.delete(key);
    processing.add(key);
    const now = clock.now();
    const at = addedAt.get(key);
    if (at !== undefined) metrics?.workqueueQueueDuration.observe({ name }, (now - at) / 1000);
    addedAt.delete(key);
    startedAt.set(key, now);
    resolve(key);
  }

  const self: WorkQueue<K> = {
    add(key) {
      if (shuttingDown || dirty.has(key)) return;
      metrics?.workqueueAdds.inc({ name });
      dirty.add(key);
      if (!addedAt.has(key)) addedAt.set(key, clock.now());
      if (processing.has(key)) return;
      push(key);
    },
    addAfter(key, ms) {
      if (shuttingDown) return;
      if (ms <= 0) return self.add(key);
      const at = clock.now() + ms;
      const pending = delayed.get(key);
      if (pending && pending.at <= at) return;
      if (pending) clock.clearTimeout(pending.timer);
      const timer = clock.setTimeout(() => {
        delayed.delete(key);
        self.add(key);
      }, ms);
      delayed.set(key, { at, timer });
    },
    addRateLimited(key) {
      metrics?.workqueueRetries.inc({ name });
      self.addAfter(key, rateLimiter.when(key));
    },
    forget(key) {
      rateLimiter.forget(key);
    },
    numRequeues(key) {
      return rateLimiter.numRequeues(key);
    },
    get() {
      const key = queue.shift();
      if (key !== undefined) {
        setDepth();
        return new Promise((resolve) => hand(key, resolve));
      }
      if (shuttingDown) return Promise.resolve(undefined);
      return new Promise((resolve) => waiters.push(resolve));
    },
    done(key) {
      processing.delete(key);
      const started = startedAt.get(key);
      if (started !== undefined) metrics?.workqueueWorkDuration.observe({ name }, (clock.now() - started) / 1000);
      startedAt.delete(key);
      if (dirty.has(key) && !shuttingDown) push(key);
    },
    len() {
      return queue.length;
    },
    shutDown() {
      shuttingDown = true;
      for (const { timer } of delayed.values()) clock.clearTimeout(timer);
      delayed.clear();
      queue.length = 0;
      dirty.clear();
      setDepth();
      for (const waiter of waiters.splice(0)) waiter(undefined);
    },
    isShuttingDown() {
      return shuttingDown;
    },
  };
  return self;
}
