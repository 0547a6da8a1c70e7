import { stringify } from 'yaml';
import type { JsonObject, JsonValue } from '../kube/types.js';
import type { AdmissionOutcome, PlaygroundCase } from './engine.js';
import { parseYamlDocuments } from '../kube/yaml-documents.js';

/** escapeRe2 quotes text so an RE2 pattern matches it literally (PolicyTest `expect.message` is a pattern). */
export function escapeRe2(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/**
 * policyTestCaseYaml turns the current case and its outcome into one
 * PolicyTest case (a YAML list item to paste under `spec.cases`): the request
 * shortcuts as the page has them, and `expect` as the engine answered
 * (allowed, code, reason, the exact message, warnings, patch).
 */
export function policyTestCaseYaml(input: PlaygroundCase, outcome: AdmissionOutcome, name: string): string {
  const object = firstDocument(input.object);
  const testCase: JsonObject = { name, ...(object && object['kind'] === 'AdmissionReview' ? { review: object } : requestFields(input, object)) };
  if (input.endpoint !== 'mutate') testCase['endpoint'] = input.endpoint;
  testCase['expect'] = expectation(outcome);
  return stringify([testCase]);
}

function requestFields(input: PlaygroundCase, object: JsonObject | null): JsonObject {
  const old = firstDocument(input.oldObject);
  const fields: Record<string, JsonValue | null | false> = {
    object,
    oldObject: old,
    operation: input.operation,
    user: input.user,
    groups: input.groups.length > 0 ? input.groups : null,
    namespace: input.namespace,
    subResource: input.subResource,
    dryRun: input.dryRun,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null && v !== '' && v !== false)) as JsonObject;
}

function expectation(outcome: AdmissionOutcome): JsonObject {
  const response = outcome.review.response;
  const status = response.status;
  const expect: JsonObject = { allowed: response.allowed };
  if (status?.code !== undefined) expect['code'] = status.code;
  if (status?.reason) expect['reason'] = status.reason;
  if (status?.message) expect['message'] = `^${escapeRe2(status.message)}$`;
  if (response.warnings?.length) expect['warnings'] = response.warnings;
  if (response.allowed) expect['patch'] = response.patch ? (JSON.parse(atob(response.patch)) as JsonValue) : [];
  return expect;
}

/** admissionReviewJson is the AdmissionReview the case sends, for `portcullis review FILE`. */
export function admissionReviewJson(outcome: AdmissionOutcome): string {
  return `${JSON.stringify({ apiVersion: outcome.review.apiVersion, kind: 'AdmissionReview', request: outcome.request }, null, 2)}\n`;
}

function firstDocument(text: string): JsonObject | null {
  try {
    const [doc] = parseYamlDocuments(text, 'object.yaml');
    return doc && typeof doc.value === 'object' && doc.value !== null && !Array.isArray(doc.value) ? (doc.value as JsonObject) : null;
  } catch {
    return null;
  }
}
