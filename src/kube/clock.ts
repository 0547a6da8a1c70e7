/**
 * The injectable time source. Everything that waits or measures (queue
 * delays, backoff, lease renewals, resyncs, reload debounces and re-reads,
 * admission deadlines, shutdown drains) goes through a Clock, so tests drive
 * time with a fake one instead of sleeping.
 */

/** TimerHandle is an opaque handle returned by Clock.setTimeout. */
export type TimerHandle = unknown;

/** Clock is the injectable time source: the time in milliseconds since the epoch plus one-shot timers. */
export interface Clock {
  /** now returns the current time in milliseconds since the epoch. */
  now(): number;
  /** setTimeout runs fn once after ms milliseconds; the timer does not keep the process alive. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** clearTimeout cancels a timer returned by setTimeout; unknown handles are ignored. */
  clearTimeout(handle: TimerHandle): void;
}

const timers: Pick<Clock, 'setTimeout' | 'clearTimeout'> = {
  setTimeout: (fn, ms) => {
    const timer = setTimeout(fn, Math.max(0, ms));
    timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** realClock is the Clock backed by Date.now and the Node.js timers (unref'd): for times compared across machines (leases, timestamps). */
export const realClock: Clock = { now: () => Date.now(), ...timers };

/**
 * monotonicClock is the Clock for measuring intervals in this process
 * (deadlines, latency, drains): it never jumps when the wall clock is set.
 * Its now() starts at the process's start time on the epoch scale.
 */
export const monotonicClock: Clock = { now: () => performance.timeOrigin + performance.now(), ...timers };

/** sleep resolves after ms on the given clock, or early (without error) when signal aborts. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = (): void => {
      clock.clearTimeout(handle);
      resolve();
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
