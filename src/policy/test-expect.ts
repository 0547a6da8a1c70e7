import type { JsonObject, JsonValue } from '../kube/types.js';
import { isJsonObject } from '../kube/types.js';
import { deepEqual } from '../kube/safe-object.js';
import { compileRe2 } from '../kube/re2.js';
import type { CaseExpectation } from './test-suite.js';
import { errorMessage } from '../kube/errors.js';

/** CaseResult is what the admission handler answered for a case, decoded, with what matched it. */
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
  /** matched are the names of the policies that matched the request. */
  matched: string[];
  /** decisions maps `policy/rule` to what that rule or mutation decided (pass, deny, warn, audit, mutated, unchanged, not-run). */
  decisions: Record<string, string>;
}

const show = (v: unknown) => JSON.stringify(v);

/** MAX_DIFF_LINES bounds the lines one differing value reports. */
export const MAX_DIFF_LINES = 20;

function fieldPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return base === '' ? key : `${base}.${key}`;
  return `${base}[${JSON.stringify(key)}]`;
}

function collectDiff(expected: JsonValue | undefined, actual: JsonValue | undefined, at: string, out: string[]): void {
  if (out.length > MAX_DIFF_LINES) return;
  if (actual === undefined) {
    out.push(`${at}: missing, expected ${show(expected)}`);
    return;
  }
  if (expected === undefined) {
    out.push(`${at}: unexpected, got ${show(actual)}`);
    return;
  }
  if (isJsonObject(expected) && isJsonObject(actual)) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
    for (const key of keys) collectDiff(expected[key], actual[key], fieldPath(at, key), out);
    return;
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    for (let i = 0; i < Math.max(expected.length, actual.length); i++) collectDiff(expected[i], actual[i], fieldPath(at, i), out);
    return;
  }
  if (!deepEqual(expected, actual)) out.push(`${at}: expected ${show(expected)}, got ${show(actual)}`);
}

/**
 * diffValues lists, one line per differing field, how `actual` differs from
 * `expected`: `spec.replicas: expected 3, got 1`, `metadata.labels.team:
 * missing, expected "web"`, `[2]: unexpected, got {...}`. Paths start at
 * `root`; at most MAX_DIFF_LINES lines, then a count of the rest.
 */
export function diffValues(expected: JsonValue, actual: JsonValue, root: string): string[] {
  const out: string[] = [];
  collectDiff(expected, actual, root, out);
  if (out.length > MAX_DIFF_LINES) {
    out.length = MAX_DIFF_LINES;
    out.push(`${root}: ... more differences not shown`);
  }
  return out;
}

function checkMatched(expect: CaseExpectation, result: CaseResult, failures: string[]): void {
  if (expect.matched !== undefined) {
    const want = [...expect.matched].sort();
    const got = [...result.matched].sort();
    if (!deepEqual(want, got)) {
      const missing = want.filter((p) => !got.includes(p));
      const extra = got.filter((p) => !want.includes(p));
      const parts = [missing.length ? `did not match ${show(missing)}` : '', extra.length ? `also matched ${show(extra)}` : ''].filter(Boolean);
      failures.push(`matched: expected ${show(want)}, got ${show(got)} (${parts.join('; ')})`);
    }
  }
  for (const [rule, decision] of Object.entries(expect.decisions ?? {})) {
    const got = result.decisions[rule];
    if (got === undefined) failures.push(`decisions.${rule}: expected ${decision}, but the rule did not run (its policy did not match, or no such rule)`);
    else if (got !== decision) failures.push(`decisions.${rule}: expected ${decision}, got ${got}`);
  }
}

/**
 * checkExpectation compares a result with a case's expectation and returns
 * one line per mismatch (empty when the case passes). The message is an RE2
 * pattern searched in the status message; patch and object are compared
 * field by field; everything else is exact.
 */
export function checkExpectation(expect: CaseExpectation, result: CaseResult): string[] {
  const failures: string[] = [];
  if (result.allowed !== expect.allowed) failures.push(`allowed: expected ${expect.allowed}, got ${result.allowed}${result.message ? ` (${result.message})` : ''}`);
  if (expect.code !== undefined && result.code !== expect.code) failures.push(`code: expected ${expect.code}, got ${show(result.code)}`);
  if (expect.reason !== undefined && result.reason !== expect.reason) failures.push(`reason: expected ${show(expect.reason)}, got ${show(result.reason)}`);
  if (expect.message !== undefined) {
    try {
      if (!compileRe2(expect.message).test(result.message ?? '')) failures.push(`message: ${show(result.message ?? '')} does not match /${expect.message}/`);
    } catch (err) {
      failures.push(`message: bad pattern: ${errorMessage(err)}`);
    }
  }
  if (expect.warnings !== undefined && !deepEqual(result.warnings, expect.warnings)) failures.push(`warnings: expected ${show(expect.warnings)}, got ${show(result.warnings)}`);
  if (expect.auditAnnotations !== undefined && !deepEqual(result.auditAnnotations, expect.auditAnnotations)) {
    failures.push(...diffValues(expect.auditAnnotations, result.auditAnnotations, 'auditAnnotations'));
  }
  if (expect.patch !== undefined && !deepEqual(result.patch, expect.patch)) failures.push(...diffValues(expect.patch, result.patch, 'patch'));
  if (expect.object !== undefined) {
    if (result.object === null) failures.push('object: expected an object, got none (the request has no object)');
    else if (!deepEqual(result.object, expect.object)) failures.push(...diffValues(expect.object, result.object, 'object'));
  }
  checkMatched(expect, result, failures);
  return failures;
}
