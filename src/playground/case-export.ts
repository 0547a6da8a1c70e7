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
  const testCase: JsonObject = { name };
  const object = firstDocument(input.object);
  if (object && object['kind'] === 'AdmissionReview') testCase['review'] = object;
  else {
    if (object) testCase['object'] = object;
    const old = firstDocument(input.oldObject);
    if (old) testCase['oldObject'] = old;
    if (input.operation !== '') testCase['operation'] = input.operation;
    if (input.user !== '') testCase['user'] = input.user;
    if (input.groups.length > 0) testCase['groups'] = input.groups;
    if (input.namespace !== '') testCase['namespace'] = input.namespace;
    if (input.subResource !== '') testCase['subResource'] = input.subResource;
    if (input.dryRun) testCase['dryRun'] = true;
  }
  if (input.endpoint !== 'mutate') testCase['endpoint'] = input.endpoint;
  const response = outcome.review.response;
  const expect: JsonObject = { allowed: response.allowed };
  if (response.status?.code !== undefined) expect['code'] = response.status.code;
  if (response.status?.reason) expect['reason'] = response.status.reason;
  if (response.status?.message) expect['message'] = `^${escapeRe2(response.status.message)}$`;
  if (response.warnings?.length) expect['warnings'] = response.warnings;
  if (response.allowed) expect['patch'] = response.patch ? (JSON.parse(atob(response.patch)) as JsonValue) : [];
  testCase['expect'] = expect;
  return stringify([testCase]);
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
