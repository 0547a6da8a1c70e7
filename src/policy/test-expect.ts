import type { JsonObject, JsonValue } from '../kube/types.js';
import { deepEqual } from '../kube/safe-object.js';
import { compileRe2 } from '../kube/re2-pattern.js';
import type { CaseExpectation } from './test-suite.js';

/** CaseResult is what the admission handler answered for a case, decoded. */
export interface CaseResult {
  allowed: boolean;
  code?: number;
  reason?: string;
  message?: string;
  warnings: string[];
  auditAnnotations: Record<string, string>;
  patch: JsonValue[];
  /** object is the request's object with the patch applied (null when there was none). */
  object: JsonObject | null;
}

const show = (v: unknown) => JSON.stringify(v);

/**
 * checkExpectation compares a result with a case's expectation and returns
 * one line per mismatch (empty when the case passes). The message is an RE2
 * pattern searched in the status message; everything else is exact.
 */
export function checkExpectation(expect: CaseExpectation, result: CaseResult): string[] {
  const failures: string[] = [];
  if (result.allowed !== expect.allowed) failures.push(`allowed: expected ${expect.allowed}, got ${result.allowed}${result.message ? ` (${result.message})` : ''}`);
  if (expect.code !== undefined && result.code !== expect.code) failures.push(`code: expected ${expect.code}, got ${show(result.code)}`);
  if (expect.reason !== undefined && result.reason !== expect.reason) failures.push(`reason: expected ${show(expect.reason)}, got ${show(result.reason)}`);
  if (expect.message !== undefined) {
    let matched = false;
    try {
      matched = compileRe2(expect.message).test(result.message ?? '');
    } catch (err) {
      failures.push(`message: bad pattern: ${(err as Error).message}`);
    }
    if (!matched) failures.push(`message: ${show(result.message ?? '')} does not match /${expect.message}/`);
  }
  if (expect.warnings !== undefined && !deepEqual(result.warnings, expect.warnings)) failures.push(`warnings: expected ${show(expect.warnings)}, got ${show(result.warnings)}`);
  if (expect.auditAnnotations !== undefined && !deepEqual(result.auditAnnotations, expect.auditAnnotations)) {
    failures.push(`auditAnnotations: expected ${show(expect.auditAnnotations)}, got ${show(result.auditAnnotations)}`);
  }
  if (expect.patch !== undefined && !deepEqual(result.patch, expect.patch)) failures.push(`patch: expected ${show(expect.patch)}, got ${show(result.patch)}`);
  if (expect.object !== undefined && !deepEqual(result.object, expect.object)) failures.push(`object: expected ${show(expect.object)}, got ${show(result.object)}`);
  return failures;
}
