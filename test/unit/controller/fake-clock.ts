import type { Clock, TimerHandle } from '../../../src/controller/clock.js';

/** FakeClock is a Clock whose time only moves when a test calls advance. */
export interface FakeClock extends Clock {
  /** advance moves time forward by ms, firing due timers in deadline order (and yielding to promises between them). */
  advance(ms: number): Promise<void>;
  /** pending counts timers not yet fired. */
  pending(): number;
}

/** createFakeClock returns a FakeClock starting at `start` ms. */
export function createFakeClock(start = 1_700_000_000_000): FakeClock {
  let now = start;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const flush = async (): Promise<void> => {
    for (let i = 0; i < 20; i++) await Promise.resolve();
    await new Promise((r) => setImmediate(r));
  };
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const id = ++seq;
      timers.set(id, { at: now + Math.max(0, ms), fn });
      return id as TimerHandle;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    async advance(ms) {
      const target = now + ms;
      await flush();
      for (;;) {
        let nextId: number | undefined;
        let next: { at: number; fn: () => void } | undefined;
        for (const [id, t] of timers) {
          if (t.at <= target && (!next || t.at < next.at)) {
            next = t;
            nextId = id;
          }
        }
        if (!next || nextId === undefined) break;
        timers.delete(nextId);
        now = Math.max(now, next.at);
        next.fn();
        await flush();
      }
      now = target;
      await flush();
    },
    pending: () => timers.size,
  };
}
