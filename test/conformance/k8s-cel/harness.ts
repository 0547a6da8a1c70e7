/**
 * The user's path for one replayed Kubernetes test case: a CRD holding the
 * test's schema is loaded into a CRD registry with the Kubernetes
 * extensions (as `serve` loads CRD files), and an AdmissionReview request
 * for the test's object goes through the /validate handler. A CRD the
 * registry refuses, and the words of a denial, are what the case checks.
 */
import { createValidateHandler } from '../../../src/admission/handlers.js';
import type { AdmissionRequest } from '../../../src/admission/review.js';
import { createSchemaValidator } from '../../../src/admission/schema-stages.js';
import type { JsonObject, JsonValue } from '../../../src/kube/types.js';
import { createCrdRegistry } from '../../../src/schema/crd-registry.js';
import type { CustomResourceDefinition } from '../../../src/schema/crd.js';
import { createKubernetesExtensions } from '../../../src/schema/kubernetes-extensions.js';
import type { Schema } from '../../../src/schema/structural.js';

const GROUP = 'conformance.portcullis.invalid';
const KIND = 'Case';
const extensions = createKubernetesExtensions();

/** Loaded is a CRD that loaded, ready for reviews, or the load error's message. */
export type Loaded = { review: (object: JsonValue, oldObject?: JsonValue) => Verdict } | { refused: string };

/** Verdict is the /validate answer: allowed, or the denial's message. */
export type Verdict = { allowed: true } | { allowed: false; message: string; causes: { reason?: string; field?: string }[] };

/**
 * loadCase builds a CRD whose schema is the test's schema, under `spec`
 * (isRoot false, the test validating a value) or as the root schema
 * (isRoot true, the test validating a whole resource), and loads it.
 */
export function loadCase(schema: Schema, isRoot: boolean): Loaded {
  const root: Schema = isRoot ? { ...schema, type: 'object' } : { type: 'object', properties: { spec: schema } };
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `cases.${GROUP}` },
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: { plural: 'cases', singular: 'case', kind: KIND, listKind: 'CaseList' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: root } }],
    },
  } as unknown as CustomResourceDefinition;
  let registry;
  try {
    registry = createCrdRegistry([{ crd, file: 'case.yaml', index: 0 }], { extensions });
  } catch (err) {
    return { refused: (err as Error).message };
  }
  // The registry tolerates rules the apiserver refuses (a diagnostic, so serve never stops); the apiserver refuses such a CRD.
  if (registry.diagnostics.length > 0) return { refused: registry.diagnostics.map((d) => d.reason).join('; ') };
  const handler = createValidateHandler({ chain: () => ({ mutators: [], validators: [createSchemaValidator({ crds: registry })] }) });
  const wrap = (value: JsonValue): JsonObject => (isRoot ? { apiVersion: `${GROUP}/v1`, kind: KIND, metadata: { name: 'c', namespace: 'd' }, ...(value as JsonObject) } : { apiVersion: `${GROUP}/v1`, kind: KIND, metadata: { name: 'c', namespace: 'd' }, ...(value === null || value === undefined ? {} : { spec: value }) });
  return {
    review(object, oldObject) {
      const request = {
        uid: 'u',
        kind: { group: GROUP, version: 'v1', kind: KIND },
        resource: { group: GROUP, version: 'v1', resource: 'cases' },
        operation: oldObject === undefined || oldObject === null ? 'CREATE' : 'UPDATE',
        userInfo: { username: 'conformance' },
        object: wrap(object),
        oldObject: oldObject === undefined || oldObject === null ? null : wrap(oldObject),
      } as unknown as AdmissionRequest;
      const response = handler(request);
      return response.allowed ? { allowed: true } : { allowed: false, message: response.status?.message ?? '', causes: (response.status?.details?.causes ?? []) as { reason?: string; field?: string }[] };
    },
  };
}

/** fromDump turns the extractor's markers back into JSON as a client would send it. */
export function fromDump(value: unknown): JsonValue {
  if (Array.isArray(value)) return value.map(fromDump);
  if (value === null || typeof value !== 'object') return value as JsonValue;
  const o = value as Record<string, unknown>;
  if ('$int' in o) return Number(o['$int']);
  if ('$uint' in o) return Number(o['$uint']);
  if ('$float' in o) return Number(o['$float']);
  if ('$bytes' in o) return String(o['$bytes']);
  return Object.fromEntries(Object.entries(o).filter(([k]) => k !== '$type').map(([k, v]) => [k, fromDump(v)]));
}

/** schemaOf returns a dumped schema's OpenAPI JSON (or null). */
export function schemaOf(value: unknown): Schema | null {
  if (value === null || typeof value !== 'object') return null;
  const s = (value as Record<string, unknown>)['$schema'];
  return s === undefined ? null : (s as Schema);
}

/** atSpec rewrites a Go test's `root` field path to where the harness puts the test's value (`spec`). */
export function atSpec(text: string): string {
  return text.replace(/^root(?=[.[:]|$)/, 'spec');
}
