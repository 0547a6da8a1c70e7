import type { JsonObject, JsonValue } from '../kube/types.js';
import { isJsonObject } from '../kube/types.js';
import { hasOwn } from '../kube/safe-object.js';
import type { FieldError } from '../kube/field-error.js';
import { formatNumber } from '../kube/field-error.js';

/** ScaleSubresource is a CRD version's `subresources.scale`. */
export interface ScaleSubresource {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

const MAX_INT32 = 2147483647;

/**
 * scaleErrors runs the apiserver's checks of a custom resource's scale
 * fields (customResourceValidator ValidateScaleSpec and ValidateScaleStatus):
 * the replicas at `specReplicasPath` (with `spec`) and `statusReplicasPath`
 * must be absent or a non-negative int32, the label selector a string. Field
 * paths are printed as the CRD writes them (`.spec.replicas`), as the
 * apiserver does. A /status update runs only the status part. An empty
 * statusReplicasPath (never in a CRD the apiserver accepts) checks nothing.
 */
export function scaleErrors(object: JsonObject, scale: ScaleSubresource, parts: 'spec-and-status' | 'status'): FieldError[] {
  const errs: FieldError[] = [];
  if (parts === 'spec-and-status') pushReplicas(errs, object, scale.specReplicasPath);
  if (scale.statusReplicasPath !== '') pushReplicas(errs, object, scale.statusReplicasPath);
  if (scale.labelSelectorPath !== undefined && scale.labelSelectorPath !== '') {
    const found = nested(object, scale.labelSelectorPath, 'string');
    if (found.error !== undefined) errs.push({ type: 'Invalid', field: scale.labelSelectorPath, badValue: '', detail: found.error });
  }
  return errs;
}

function pushReplicas(errs: FieldError[], object: JsonObject, path: string): void {
  const found = nested(object, path, 'int64');
  if (found.error !== undefined) errs.push({ type: 'Invalid', field: path, badValue: 0, detail: found.error });
  else if (typeof found.value === 'number' && found.value < 0) errs.push({ type: 'Invalid', field: path, badValue: found.value, detail: 'should be a non-negative integer' });
  else if (typeof found.value === 'number' && found.value > MAX_INT32) errs.push({ type: 'Invalid', field: path, badValue: found.value, detail: `should be less than or equal to ${MAX_INT32}` });
}

/** splitPath splits a scale path as the apiserver does (leading dot dropped, then on dots). */
export function splitPath(path: string): string[] {
  return path.replace(/^\./, '').split('.');
}

/** nested reads a field as unstructured.NestedInt64/NestedString do, with their error wording. */
function nested(object: JsonObject, path: string, want: 'int64' | 'string'): { value?: JsonValue; error?: string } {
  const fields = splitPath(path);
  let value: JsonValue = object;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] as string;
    if (!isJsonObject(value)) return { error: `${jsonPath(fields.slice(0, i + 1))} accessor error: ${goValue(value)} is of the type ${goType(value)}, expected map[string]interface{}` };
    if (!hasOwn(value, field)) return {};
    value = value[field] as JsonValue;
  }
  const ok = want === 'int64' ? typeof value === 'number' && Number.isInteger(value) : typeof value === 'string';
  if (!ok) return { error: `${jsonPath(fields)} accessor error: ${goValue(value)} is of the type ${goType(value)}, expected ${want}` };
  return { value };
}

function jsonPath(fields: readonly string[]): string {
  return `.${fields.join('.')}`;
}

/** goType names a decoded JSON value's Go type as %T prints it. */
function goType(value: JsonValue): string {
  if (value === null) return '<nil>';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int64' : 'float64';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  return Array.isArray(value) ? '[]interface {}' : 'map[string]interface {}';
}

/** goValue prints a decoded JSON value as Go's %v does. */
function goValue(value: JsonValue): string {
  if (value === null) return '<nil>';
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'string' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(goValue).join(' ')}]`;
  return `map[${Object.keys(value).sort().map((k) => `${k}:${goValue(value[k] as JsonValue)}`).join(' ')}]`;
}
