import type { GroupVersionKind, GroupVersionResource, JsonObject, UserInfo } from '../kube/types.js';
import type { FieldError } from '../kube/field-error.js';

/**
 * PolicyRequest is the part of an admission request policies read. It is a
 * structural subset of the admission layer's AdmissionRequest, so that
 * layer passes its requests straight in.
 */
export interface PolicyRequest {
  uid?: string;
  kind: GroupVersionKind;
  resource: GroupVersionResource;
  subResource?: string;
  name?: string;
  namespace?: string;
  operation: string;
  userInfo: UserInfo;
  object: JsonObject | null;
  oldObject: JsonObject | null;
  dryRun?: boolean;
  options?: JsonObject | null;
}

/** PolicyViolation is one reason to deny (the admission layer's Violation is this type). */
export type PolicyViolation =
  | { kind: 'field'; error: FieldError; policy?: string; rule?: string }
  | { kind: 'forbidden'; message: string; policy?: string; rule?: string };

/** PolicyOutcome is what the policies found for one request (the admission layer's StageOutcome is this type). */
export interface PolicyOutcome {
  violations: PolicyViolation[];
  warnings: string[];
  auditAnnotations: Record<string, string>;
  truncated?: boolean;
}

/** emptyPolicyOutcome returns an outcome with nothing in it. */
export function emptyPolicyOutcome(): PolicyOutcome {
  return { violations: [], warnings: [], auditAnnotations: {} };
}

/**
 * Finding is one problem a rule found, before its action decides what it
 * becomes: a field problem (-> 422 Invalid cause) or a who-may-do-what
 * problem (-> 403 Forbidden).
 */
export type Finding =
  | { kind: 'field'; error: FieldError }
  | { kind: 'forbidden'; message: string };
