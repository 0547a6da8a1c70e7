import { allow, deny, withWarnings } from '../admission/response.js';
import type { AdmissionRequest, AdmissionResponse } from '../admission/review.js';

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

const UNITS_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const GO_DURATION = /^(?:(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$/;
const GO_DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;

/** parseGoDuration reads a positive Go duration ("10s", "1m30s", "1.5s", "500ms") into milliseconds; undefined when it isn't one. */
export function parseGoDuration(text: string): number | undefined {
  if (text.length === 0 || text.length > 64 || !GO_DURATION.test(text)) return undefined;
  let total = 0;
  for (const match of text.matchAll(GO_DURATION_PART)) total += Number(match[1]) * (UNITS_MS[match[2] as string] as number);
  return Number.isFinite(total) && total > 0 ? total : undefined;
}

/**
 * computeDeadline returns the deadline of a request that arrived at
 * `arrivedAt`. Because the apiserver rounds its remaining time up to whole
 * seconds, up to one second of the stated timeout may already be gone: the
 * budget is the timeout less one second plus a 100 ms margin for the
 * response to travel, but never less than half the timeout.
 */
export function computeDeadline(timeoutParam: unknown, arrivedAt: number, options: DeadlineOptions = {}): Deadline {
  const stated = typeof timeoutParam === 'string' ? parseGoDuration(timeoutParam) : undefined;
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
 * evaluators themselves.
 */
export async function answerBeforeDeadline<T>(
  work: () => T | Promise<T>,
  deadline: Deadline,
  now: () => number,
): Promise<{ expired: false; value: T } | { expired: true }> {
  if (now() >= deadline.at) return { expired: true };
  const result = work();
  if (!(result instanceof Promise)) return { expired: false, value: result };
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<{ expired: true }>((resolve) => {
    timer = setTimeout(() => resolve({ expired: true }), Math.max(0, deadline.at - now()));
  });
  try {
    return await Promise.race([result.then((value) => ({ expired: false as const, value })), expiry]);
  } finally {
    clearTimeout(timer);
  }
}
