/**
 * Time source of the controller. Everything that waits (queue delays, backoff,
 * lease renewals, resync) goes through a Clock so that unit tests can drive
 * time with a fake one instead of sleeping.
 */

/** TimerHandle is an opaque handle returned by Clock.setTimeout. */
export type TimerHandle = unknown;

/** Clock is the injectable time source: wall time in milliseconds plus one-shot timers. */
export interface Clock {
  /** now returns the current time in milliseconds since the epoch. */
  now(): number;
  /** setTimeout runs fn once after ms milliseconds; the timer does not keep the process alive. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** clearTimeout cancels a timer returned by setTimeout; unknown handles are ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/** realClock is the Clock backed by Date.now and the Node.js timers (unref'd). */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const timer = setTimeout(fn, Math.max(0, ms));
    timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

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
