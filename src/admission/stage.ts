import type { JsonObject } from '../kube/types.js';
import { emptyPolicyOutcome } from '../policy/outcome.js';
import type { PolicyOutcome, PolicyViolation } from '../policy/outcome.js';
import type { AdmissionRequest } from './review.js';

/**
 * Violation is one reason to deny a request. Field problems carry a
 * FieldError and deny with 422 Invalid; who-may-do-what problems deny with
 * 403 Forbidden and carry only a message. Defined once, in the policy layer
 * (which may not import this one), so schema and policy stages share it.
 */
export type Violation = PolicyViolation;

/** StageOutcome is what one admission stage found. Every list may be empty. */
export type StageOutcome = PolicyOutcome;

/** emptyOutcome returns a StageOutcome with nothing in it. */
export const emptyOutcome: () => StageOutcome = emptyPolicyOutcome;

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
