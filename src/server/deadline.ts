import { allow, deny, withWarnings } from '../admission/response.js';
import type { AdmissionRequest, AdmissionResponse } from '../admission/review.js';
import type { Clock } from '../kube/clock.js';
import { parseGoDuration } from '../kube/duration.js';

/**
 * Deadline awareness: the apiserver adds `?timeout=<Go duration>` to every
 * admission call (the webhook's timeoutSeconds or the caller's remaining
 * time, rounded UP to whole seconds — protocol.md §1.1). An answer that
 * arrives after it is wasted: the apiserver has already failed the call with
 * `context deadline exceeded`. So we answer early, by the configured failure
 * preference, when evaluation cannot finish in time.
 */

/** DeadlineFailure is what to answer when the deadline comes first: deny (fail closed, the default) or allow (fail open). */
export type DeadlineFailure = 'deny' | 'allow';

/** DeadlineOptions configures deadline handling for the admission endpoints. */
export interface DeadlineOptions {
  /** failure is the answer given when the deadline comes first; default 'deny'. */
  failure?: DeadlineFailure;
  /** defaultTimeoutMs applies when a request carries no ?timeout= (curl, tests); default 10 s, the apiserver's default. */
  defaultTimeoutMs?: number;
  /** maxTimeoutMs caps a claimed timeout; default 30 s, the largest timeoutSeconds allowed. */
  maxTimeoutMs?: number;
}

/** Deadline is the time, on the endpoint's monotonic clock, by which an answer must be sent. */
export interface Deadline {
  /** at is the monotonic time (ms) of the safe deadline. */
  readonly at: number;
  /** budgetMs is the time allowed from arrival to answer. */
  readonly budgetMs: number;
}

/**
 * computeDeadline returns the deadline of a request that arrived at
 * `arrivedAt`. Because the apiserver rounds its remaining time up to whole
 * seconds, up to one second of the stated timeout may already be gone: the
 * budget is the timeout less one second plus a 100 ms margin for the
 * response to travel, but never less than half the timeout.
 */
export function computeDeadline(timeoutParam: unknown, arrivedAt: number, options: DeadlineOptions = {}): Deadline {
  const parsed = typeof timeoutParam === 'string' ? parseGoDuration(timeoutParam) : undefined;
  const stated = parsed !== undefined && parsed > 0 ? parsed : undefined;
  const timeoutMs = Math.min(stated ?? options.defaultTimeoutMs ?? 10_000, options.maxTimeoutMs ?? 30_000);
  const budgetMs = Math.max(timeoutMs - 1100, timeoutMs / 2);
  return { at: arrivedAt + budgetMs, budgetMs };
}

/**
 * deadlineResponse is the answer given instead of an evaluation: a denial
 * with 504 Timeout, or an allowed response (never patched) with a warning
 * that says the request was not checked.
 */
export function deadlineResponse(request: Pick<AdmissionRequest, 'uid'>, failure: DeadlineFailure): AdmissionResponse {
  if (failure === 'allow') {
    return withWarnings(allow(request), ['portcullis could not evaluate this request before the deadline; allowed unchecked by the failure preference']);
  }
  return deny(allow(request), {
    code: 504,
    reason: 'Timeout',
    message: 'portcullis could not evaluate this request before the deadline; denied by the failure preference',
  });
}

/**
 * answerBeforeDeadline runs `work` unless the deadline has passed already,
 * and when `work` returns a promise, races it against the deadline. It
 * resolves `{ expired: true }` when the failure preference must answer. A
 * synchronous evaluation can't be interrupted; it is bounded by the
 * evaluators themselves. The deadline is on `clock` (the endpoint's).
 */
export async function answerBeforeDeadline<T>(work: () => T | Promise<T>, deadline: Deadline, clock: Clock): Promise<{ expired: false; value: T } | { expired: true }> {
  if (clock.now() >= deadline.at) return { expired: true };
  const result = work();
  if (!(result instanceof Promise)) return { expired: false, value: result };
  let timer: unknown;
  const expiry = new Promise<{ expired: true }>((resolve) => {
    timer = clock.setTimeout(() => resolve({ expired: true }), Math.max(0, deadline.at - clock.now()));
  });
  try {
    return await Promise.race([result.then((value) => ({ expired: false as const, value })), expiry]);
  } finally {
    clock.clearTimeout(timer);
  }
}
