import type { JsonObject } from '../kube/types.js';
import type { FieldError } from '../schema/field-error.js';
import type { AdmissionRequest } from './review.js';

/**
 * Violation is one reason to deny a request. Field problems carry a
 * FieldError and deny with 422 Invalid; who-may-do-what problems deny with
 * 403 Forbidden and carry only a message.
 */
export type Violation =
  | { kind: 'field'; error: FieldError; policy?: string; rule?: string }
  | { kind: 'forbidden'; message: string; policy?: string; rule?: string };

/** StageOutcome is what one admission stage found. Every list may be empty. */
export interface StageOutcome {
  violations: Violation[];
  warnings: string[];
  auditAnnotations: Record<string, string>;
  /** truncated is set when the stage stopped reporting violations at its bound. */
  truncated?: boolean;
}

/** emptyOutcome returns a StageOutcome with nothing in it. */
export function emptyOutcome(): StageOutcome {
  return { violations: [], warnings: [], auditAnnotations: {} };
}

/**
 * Mutator changes a working copy of the object in place (defaults, labels…).
 * It must be idempotent: running it on its own output changes nothing.
 */
export interface Mutator {
  /** name identifies the mutator in logs and metrics. */
  readonly name: string;
  mutate(request: AdmissionRequest, object: JsonObject): StageOutcome;
}

/**
 * Validator judges a request. `object` is the object to judge (after
 * mutation, on the mutating path), or null on DELETE.
 */
export interface Validator {
  /** name identifies the validator in logs and metrics. */
  readonly name: string;
  validate(request: AdmissionRequest, object: JsonObject | null): StageOutcome;
}

/** AdmissionChain is the ordered set of stages in force; it is swapped whole on reload. */
export interface AdmissionChain {
  readonly mutators: readonly Mutator[];
  readonly validators: readonly Validator[];
}
