import type { Clock } from './clock.js';

/**
 * Rate limiters of the workqueue, modelled on client-go's
 * `DefaultControllerRateLimiter`: the delay for an item is the larger of its
 * own exponential backoff and the wait imposed by an overall token bucket.
 */

/** RateLimiter decides how long an item waits before it is retried. */
export interface RateLimiter<K> {
  /** when returns the delay in milliseconds before item may be processed again (and records one attempt). */
  when(item: K): number;
  /** forget clears the failure history of item (called after a successful sync). */
  forget(item: K): void;
  /** numRequeues returns how many times item has been rate-limited since the last forget. */
  numRequeues(item: K): number;
}

/** ExponentialRateLimiterOptions configures createExponentialRateLimiter. */
export interface ExponentialRateLimiterOptions {
  /** baseDelayMs is the first delay; default 5 ms (client-go). */
  baseDelayMs?: number;
  /** maxDelayMs caps the delay; default 1,000,000 ms = 1000 s (client-go). */
  maxDelayMs?: number;
}

/**
 * createExponentialRateLimiter returns a per-item limiter: the n-th failure of an
 * item waits base * 2^n, capped at max. Items do not influence each other.
 */
export function createExponentialRateLimiter<K>(options: ExponentialRateLimiterOptions = {}): RateLimiter<K> {
  const base = options.baseDelayMs ?? 5;
  const max = options.maxDelayMs ?? 1_000_000;
  const failures = new Map<K, number>();
  return {
    when(item) {
      const n = failures.get(item) ?? 0;
      failures.set(item, n + 1);
      // 2^n overflows to Infinity for large n, which Math.min then caps.
      return Math.min(base * 2 ** n, max);
    },
    forget(item) {
      failures.delete(item);
    },
    numRequeues(item) {
      return failures.get(item) ?? 0;
    },
  };
}

/** BucketRateLimiterOptions configures createBucketRateLimiter. */
export interface BucketRateLimiterOptions {
  /** qps is the sustained rate of tokens per second; default 10 (client-go). */
  qps?: number;
  /** burst is the bucket size; default 100 (client-go). */
  burst?: number;
  /** clock supplies the time; tests pass a fake one. */
  clock: Clock;
}

/**
 * createBucketRateLimiter returns an overall token bucket shared by all items:
 * each call reserves one token and returns how long to wait until it is available.
 * Reservations beyond the burst queue up at 1/qps intervals.
 */
export function createBucketRateLimiter<K>(options: BucketRateLimiterOptions): RateLimiter<K> {
  const qps = options.qps ?? 10;
  const burst = options.burst ?? 100;
  const clock = options.clock;
  let tokens = burst;
  let last = clock.now();
  return {
    when() {
      const now = clock.now();
      tokens = Math.min(burst, tokens + ((now - last) / 1000) * qps);
      last = now;
      tokens -= 1;
      // A negative balance is a reservation: it is repaid at qps tokens per second.
      return tokens >= 0 ? 0 : Math.ceil((-tokens / qps) * 1000);
    },
    forget() {},
    numRequeues() {
      return 0;
    },
  };
}

/**
 * createMaxOfRateLimiter combines limiters: the delay is the largest of theirs,
 * forget and numRequeues reach every one of them.
 */
export function createMaxOfRateLimiter<K>(...limiters: RateLimiter<K>[]): RateLimiter<K> {
  return {
    when(item) {
      return Math.max(0, ...limiters.map((l) => l.when(item)));
    },
    forget(item) {
      for (const l of limiters) l.forget(item);
    },
    numRequeues(item) {
      return Math.max(0, ...limiters.map((l) => l.numRequeues(item)));
    },
  };
}

/** DefaultRateLimiterOptions configures createDefaultControllerRateLimiter. */
export interface DefaultRateLimiterOptions extends ExponentialRateLimiterOptions {
  /** qps of the overall bucket; default 10. */
  qps?: number;
  /** burst of the overall bucket; default 100. */
  burst?: number;
  /** clock for the bucket. */
  clock: Clock;
}

/**
 * createDefaultControllerRateLimiter mirrors client-go's default: per-item
 * exponential backoff 5 ms..1000 s combined with a 10 qps / burst 100 bucket.
 */
export function createDefaultControllerRateLimiter<K>(options: DefaultRateLimiterOptions): RateLimiter<K> {
  return createMaxOfRateLimiter<K>(
    createExponentialRateLimiter<K>(options),
    createBucketRateLimiter<K>({ clock: options.clock, qps: options.qps, burst: options.burst }),
  );
}
