import { PortcullisError } from '../kube/errors.js';

/** OverloadedError means a review's body would take the bytes of reviews in flight past the bound (HTTP 429). */
export class OverloadedError extends PortcullisError {
  constructor(message: string) {
    super('PCL_ERR_OVERLOADED', message);
  }
}

/** InflightBudget bounds the body bytes of the reviews being served at once. */
export interface InflightBudget {
  /** limitBytes is the bound. */
  readonly limitBytes: number;
  /** reserve takes `bytes` for one review; returns the release (call once, when the response has closed) or throws OverloadedError. */
  reserve(bytes: number): () => void;
  /** inUse is the bytes reserved now. */
  inUse(): number;
}

/**
 * createInflightBudget bounds memory by what drives it: a review costs
 * a multiple of its body while it is served (the bytes, their string, the
 * parsed object, the answer; docs/performance.md measures the factor), so
 * the sum of the bodies in flight bounds the heap they take. A review that
 * would take the sum past `limitBytes` is refused at once, before its body
 * is read, instead of growing the heap; one review alone is always
 * accepted (its size is bounded by the body limit). `onChange` hears the
 * bytes in use (a gauge).
 */
export function createInflightBudget(limitBytes: number, onChange?: (bytes: number) => void): InflightBudget {
  let inUse = 0;
  return {
    limitBytes,
    reserve(bytes) {
      if (inUse > 0 && inUse + bytes > limitBytes) {
        throw new OverloadedError(`too many reviews in flight: this one (${bytes} bytes) would take the ${inUse} bytes being served past the ${limitBytes}-byte bound (--max-inflight-bytes); retry`);
      }
      inUse += bytes;
      onChange?.(inUse);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        inUse -= bytes;
        onChange?.(inUse);
      };
    },
    inUse: () => inUse,
  };
}
