import type { JsonValue } from '../kube/types.js';
import type { FieldError } from '../kube/field-error.js';
import type { FieldPath } from '../kube/field-path.js';

/** DEFAULT_MAX_ERRORS bounds how many field errors one validation reports. */
export const DEFAULT_MAX_ERRORS = 100;

/**
 * ValidationContext carries the state of one validation run: the errors so
 * far (bounded) and whether more were dropped. Checks push through `add`.
 */
export interface ValidationContext {
  readonly errors: FieldError[];
  readonly maxErrors: number;
  /** truncated is set once an error was dropped because maxErrors was reached. */
  truncated: boolean;
  /** ratcheting is true on UPDATE: unchanged values are not re-validated. */
  readonly ratcheting: boolean;
  /**
   * matches counts the schema nodes visited, as kube-openapi's MatchCount
   * does: among failing anyOf/oneOf branches, the one that got furthest
   * explains the failure.
   */
  matches: number;
  /**
   * unchanged is set, on UPDATE, while a pass with ratchet 'errors' visits a
   * value equal to its old counterpart (or below an uncorrelatable value
   * whose nearest correlatable ancestor is unchanged).
   */
  unchanged: boolean;
}

/** createValidationContext starts a validation run. */
export function createValidationContext(options: { maxErrors?: number; ratcheting?: boolean } = {}): ValidationContext {
  return { errors: [], maxErrors: options.maxErrors ?? DEFAULT_MAX_ERRORS, truncated: false, ratcheting: options.ratcheting ?? false, matches: 0, unchanged: false };
}

/**
 * addError records an error unless the bound is reached. One error past the
 * bound is kept, so that finishValidation can tell a run that stopped at the
 * bound from one that merely reached it.
 */
export function addError(ctx: ValidationContext, error: FieldError): void {
  if (ctx.errors.length > ctx.maxErrors) {
    ctx.truncated = true;
    return;
  }
  ctx.errors.push(error);
}

/** isFull tells whether no more errors will be recorded, so callers can stop early. */
export function isFull(ctx: ValidationContext): boolean {
  return ctx.errors.length > ctx.maxErrors;
}

/** finishValidation drops the error kept past the bound and marks the run truncated when there was one. */
export function finishValidation(ctx: ValidationContext): { errors: FieldError[]; truncated: boolean } {
  if (ctx.errors.length > ctx.maxErrors) {
    ctx.errors.length = ctx.maxErrors;
    ctx.truncated = true;
  }
  return { errors: ctx.errors, truncated: ctx.truncated };
}

/**
 * Check validates one value at one path. `old` is the value at the same path
 * in oldObject on UPDATE (undefined when absent or not correlatable), for
 * ratcheting and transition rules.
 */
export type Check = (value: JsonValue, old: JsonValue | undefined, path: FieldPath, ctx: ValidationContext) => void;
