/**
 * Comparing one object's outcome at the apiserver with Portcullis's.
 */
import fastJsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import type { AdmissionResponse } from '../../../src/admission/review.js';
import { deepEqual } from '../../../src/kube/safe-object.js';
import type { JsonObject, JsonValue } from '../../../src/kube/types.js';
import type { DryRunResult } from './apiserver-client.js';

/** Outcome is one side's verdict in comparable form. */
export interface Outcome {
  allowed: boolean;
  /** status is the HTTP status (apiserver) or the denial's code (Portcullis). */
  status: number;
  /** fields are the sorted distinct cause fields of a denial. */
  fields: string[];
  /** causes are the sorted `field: message` lines of a denial. */
  causes: string[];
  /** message is the denial's whole message. */
  message: string;
  /** spec is the resulting spec when allowed (after defaulting). */
  spec: JsonValue | undefined;
  /** unknownFields are the `unknown field "…"` warnings, sorted. */
  unknownFields: string[];
}

/** Disagreement says how two outcomes differ; empty when they agree. */
export type Difference = 'verdict' | 'fields' | 'defaults' | 'unknown-fields' | 'validate';

function causesOf(status: JsonObject | undefined): { fields: string[]; causes: string[] } {
  const details = status?.['details'] as JsonObject | undefined;
  const causes = (details?.['causes'] as JsonObject[] | undefined) ?? [];
  return {
    fields: [...new Set(causes.map((c) => String(c['field'] ?? '')))].sort(),
    causes: causes.map((c) => `${String(c['field'] ?? '')}: ${String(c['message'] ?? '')}`).sort(),
  };
}

/** fromApiserver reads a dry-run answer. */
export function fromApiserver(result: DryRunResult): Outcome {
  const allowed = result.status >= 200 && result.status < 300;
  let { fields, causes } = allowed ? { fields: [] as string[], causes: [] as string[] } : causesOf(result.body);
  // A decode-time rejection (400 BadRequest) carries its one field error in the message only.
  const decode = /cannot be handled as a [^:]+: (([^:]+): .*)$/s.exec(String(result.body['message'] ?? ''));
  if (result.status === 400 && decode !== null) {
    fields = [decode[2] as string];
    causes = [decode[1] as string];
  }
  return {
    allowed,
    status: result.status,
    fields,
    causes,
    message: allowed ? '' : String(result.body['message'] ?? ''),
    spec: allowed ? (result.body['spec'] as JsonValue | undefined) : undefined,
    unknownFields: result.warnings.filter((w) => w.startsWith('unknown field')).sort(),
  };
}

function removePath(object: JsonValue, path: string): void {
  const segments = [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : (m[1] as string)));
  let cur: JsonValue | undefined = object;
  for (const seg of segments.slice(0, -1)) cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, JsonValue>)[seg as string] : undefined;
  if (cur !== null && typeof cur === 'object' && !Array.isArray(cur)) delete (cur as Record<string, JsonValue>)[segments[segments.length - 1] as string];
}

/**
 * fromPortcullis reads our /mutate answer for `original`; unknown fields are
 * pruned from the spec as the apiserver would. `decode`, when given, turns
 * the patched object into what the apiserver stores of it (its decoded view:
 * pruned, non-nullable nulls dropped), which a patch never needs to do itself.
 */
export function fromPortcullis(original: JsonObject, response: AdmissionResponse, decode?: (object: JsonObject) => JsonObject): Outcome {
  const unknownFields = (response.warnings ?? []).filter((w) => w.startsWith('unknown field')).sort();
  let spec: JsonValue | undefined;
  if (response.allowed) {
    const ops = response.patch ? (JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8')) as Operation[]) : [];
    const patched = fastJsonPatch.applyPatch(structuredClone(original), ops, false, false).newDocument as JsonObject;
    for (const w of unknownFields) removePath(patched, (/^unknown field "(.*)"$/.exec(w)?.[1] ?? '') as string);
    spec = (decode ? decode(patched) : patched)['spec'];
  }
  const { fields, causes } = response.allowed ? { fields: [], causes: [] } : causesOf(response.status as unknown as JsonObject);
  return { allowed: response.allowed, status: response.allowed ? 200 : (response.status?.code ?? 0), fields, causes, message: response.allowed ? '' : String(response.status?.message ?? ''), spec, unknownFields };
}

/**
 * normalizeMetadata drops empty values from every `metadata` object below the
 * spec: the apiserver round-trips embedded ObjectMeta through its Go struct
 * while decoding, which drops empty maps and strings (`labels: {}`).
 * Portcullis leaves the user's object as it is; the test treats both as equal.
 */
function normalizeMetadata(value: JsonValue | undefined): JsonValue | undefined {
  if (Array.isArray(value)) return value.map((v) => normalizeMetadata(v) as JsonValue);
  if (value === null || typeof value !== 'object') return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'metadata' && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const meta: JsonObject = {};
      for (const [mk, mv] of Object.entries(v)) {
        const empty = mv === '' || (mv !== null && typeof mv === 'object' && Object.keys(mv).length === 0);
        if (!empty) meta[mk] = mv;
      }
      out[k] = meta;
    } else out[k] = normalizeMetadata(v) as JsonValue;
  }
  return out;
}

/** compareOutcomes lists how two outcomes differ (empty when they agree). */
export function compareOutcomes(apiserver: Outcome, ours: Outcome): Difference[] {
  const out: Difference[] = [];
  if (apiserver.allowed !== ours.allowed) out.push('verdict');
  else if (!apiserver.allowed && !deepEqual(apiserver.fields, ours.fields)) out.push('fields');
  else if (apiserver.allowed && !deepEqual(normalizeMetadata(apiserver.spec) ?? null, normalizeMetadata(ours.spec) ?? null)) out.push('defaults');
  if (!deepEqual(apiserver.unknownFields, ours.unknownFields)) out.push('unknown-fields');
  return out;
}
