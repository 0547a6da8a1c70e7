import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { RuntimeSources } from './admission-runtime.js';
import type { DeadlineFailure } from './deadline.js';

/*
 * Large admission reviews off the event loop. Parsing, validating and
 * pruning a 1 MiB review holds a thread for tens of milliseconds; on the
 * event loop every small review that arrives meanwhile waits for it. Bodies
 * of at least `thresholdBytes` are answered by one worker thread instead
 * (started on the first one, so a server that never sees one pays nothing),
 * which holds its own copy of the configuration; the event loop only reads
 * the bytes and writes the answer.
 */

/** DEFAULT_LARGE_REVIEW_BYTES is the body size from which a review goes to the worker thread: 256 KiB. */
export const DEFAULT_LARGE_REVIEW_BYTES = 256 * 1024;

/** LargeReviewTask is one review sent to the worker thread. */
export interface LargeReviewTask {
  id: number;
  webhook: 'mutate' | 'validate';
  body: Uint8Array;
  /** generation names the server's configuration in force (its loadedAt): the worker reloads when it changes. */
  generation: number;
  /** deadlineEpochMs is the answer's deadline in ms since the epoch (performance.timeOrigin + now, the same in both threads). */
  deadlineEpochMs: number;
}

/** LargeReviewReply is the worker thread's answer: the review's JSON text, or a 4xx for a body that is no review. */
export type LargeReviewReply =
  | {
      id: number;
      kind: 'answered';
      text: string;
      log: Record<string, unknown>;
      /** counted are the labels of each decision-counter increment, for the server's counter. */
      counted: Record<string, string>[];
      expired?: boolean;
      failed?: { message: string; stack?: string };
    }
  | { id: number; kind: 'bad-request'; httpStatus: number; text: string; message: string }
  /** unavailable: the worker could not load the configuration; the server answers the review itself. */
  | { id: number; kind: 'unavailable'; message: string };

/** LargeReviewOffload answers large reviews on the worker thread. */
export interface LargeReviewOffload {
  readonly thresholdBytes: number;
  /** answer sends one review's bytes to the worker; rejects when the worker died (the caller answers on its own thread). */
  answer(webhook: 'mutate' | 'validate', body: Buffer, deadlineAt: number): Promise<Exclude<LargeReviewReply, { kind: 'unavailable' }>>;
  /** close stops the worker thread. */
  close(): Promise<void>;
}

/** LargeReviewOptions configures createLargeReviewOffload. */
export interface LargeReviewOptions {
  sources: RuntimeSources;
  /** generation returns the server's configuration generation in force (e.g. its loadedAt in ms). */
  generation: () => number;
  failure: DeadlineFailure;
  logger: Logger;
  /** decisions is portcullis_admission_decisions_total: what the worker's stages decided is counted here. */
  decisions?: Counter<'stage' | 'policy' | 'rule' | 'action' | 'result'>;
  thresholdBytes?: number;
  /** now is the server's monotonic clock (performance.now, or a test's), to turn deadlines into epoch times. */
  now?: () => number;
}

function startWorker(workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./large-review-worker.js', import.meta.url), { workerData });
  // Under tsx (the tests) this module is a .ts file: the worker registers tsx's loader before importing its own .ts entry.
  const entry = new URL('./large-review-worker.ts', import.meta.url).href;
  return new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`, { eval: true, workerData });
}

/** createLargeReviewOffload prepares the offload; the worker thread starts with the first large review. */
export function createLargeReviewOffload(options: LargeReviewOptions): LargeReviewOffload {
  const now = options.now ?? (() => performance.now());
  let worker: Worker | undefined;
  let nextId = 1;
  const pending = new Map<number, { resolve: (reply: Exclude<LargeReviewReply, { kind: 'unavailable' }>) => void; reject: (err: Error) => void }>();

  const start = (): Worker => {
    const w = startWorker({ sources: options.sources, failure: options.failure });
    w.unref();
    w.on('message', (reply: LargeReviewReply) => {
      const waiter = pending.get(reply.id);
      pending.delete(reply.id);
      if (reply.kind === 'answered') for (const labels of reply.counted) options.decisions?.inc(labels);
      if (reply.kind === 'unavailable') waiter?.reject(new Error(reply.message));
      else waiter?.resolve(reply);
    });
    const fail = (err: Error) => {
      if (worker === w) worker = undefined;
      for (const waiter of pending.values()) waiter.reject(err);
      pending.clear();
    };
    w.on('error', (err) => {
      options.logger.error({ err: err.message }, 'large-review worker thread failed: large reviews are answered on the event loop until it restarts');
      fail(err);
    });
    w.on('exit', (code) => fail(new Error(`large-review worker thread exited (${code})`)));
    options.logger.info({ thresholdBytes: options.thresholdBytes ?? DEFAULT_LARGE_REVIEW_BYTES }, 'large-review worker thread started');
    return w;
  };

  return {
    thresholdBytes: options.thresholdBytes ?? DEFAULT_LARGE_REVIEW_BYTES,
    answer(webhook, body, deadlineAt) {
      worker ??= start();
      const id = nextId++;
      const task: LargeReviewTask = { id, webhook, body, generation: options.generation(), deadlineEpochMs: performance.timeOrigin + deadlineAt + (performance.now() - now()) };
      const target = worker;
      return new Promise<Exclude<LargeReviewReply, { kind: 'unavailable' }>>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        target.postMessage(task);
      });
    },
    async close() {
      const w = worker;
      worker = undefined;
      await w?.terminate();
    },
  };
}
