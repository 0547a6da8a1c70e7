import type { JsonObject, JsonValue } from '../kube/types.js';
import { isJsonObject } from '../kube/types.js';
import { hasOwn } from '../kube/safe-object.js';
import type { ValidationPass } from './compile-validator.js';
import { goJson } from '../kube/field-error.js';
import type { FieldPath } from '../kube/field-path.js';
import type { Schema } from './structural.js';
import { addError } from './validator-context.js';
import type { Check, ValidationContext } from './validator-context.js';

/**
 * listTypePass checks the invariants of `x-kubernetes-list-type: set` and
 * `map` lists as apiextensions-apiserver's listtype.ValidateListSetsAndMaps
 * does: every repeated item of a set, and every item of a map list whose key
 * repeats, is a `Duplicate value` error naming the later item; a map list's
 * items must be objects. On UPDATE it runs only when oldObject has no such
 * error (the apiserver's ratcheting of list types).
 */
export const listTypePass: ValidationPass = {
  name: 'list-type',
  ratchet: 'old-object',
  compile: compileListType,
};

function compileListType(schema: Schema): Check | null {
  const listType = schema['x-kubernetes-list-type'];
  if (listType === 'set') return (value, _old, path, ctx) => Array.isArray(value) && reportSet(value, path, ctx);
  if (listType === 'map') {
    const keys = schema['x-kubernetes-list-map-keys'] ?? [];
    return (value, _old, path, ctx) => Array.isArray(value) && reportMap(value, keys, path, ctx);
  }
  return null;
}

/** identity returns a value's identity for uniqueness: scalars by type and value, compounds by their JSON. */
function identity(value: JsonValue | typeof UNSPECIFIED): string {
  if (value === UNSPECIFIED) return 'u';
  if (value === null || typeof value !== 'object') return `s${typeof value}:${String(value)}`;
  return `c${goJson(value)}`;
}

const UNSPECIFIED = Symbol('unspecified key');

/** duplicateIndices returns, for each value seen a second time, the index of that second occurrence. */
function duplicateIndices(values: readonly (JsonValue | typeof UNSPECIFIED)[]): number[] {
  const seen = new Map<string, number>();
  const out: number[] = [];
  values.forEach((value, i) => {
    const id = identity(value);
    const times = seen.get(id) ?? 0;
    seen.set(id, times + 1);
    if (times === 1) out.push(i);
  });
  return out;
}

function reportSet(list: JsonValue[], path: FieldPath, ctx: ValidationContext): boolean {
  if (list.length <= 1) return true;
  for (const i of duplicateIndices(list)) addError(ctx, { type: 'Duplicate', field: path.index(i).toString(), badValue: list[i] as JsonValue });
  return true;
}

function reportMap(list: JsonValue[], keys: readonly string[], path: FieldPath, ctx: ValidationContext): boolean {
  const bad = list.findIndex((item) => item !== null && !isJsonObject(item));
  if (bad >= 0) {
    addError(ctx, { type: 'Invalid', field: path.index(bad).toString(), badValue: list[bad] as JsonValue, detail: 'must be an object for an array of list-type map' });
    return true;
  }
  if (list.length <= 1) return true;
  if (keys.length === 1) {
    const key = keys[0] as string;
    const values = list.map((item) => (isJsonObject(item) && hasOwn(item, key) ? (item[key] as JsonValue) : UNSPECIFIED));
    for (const i of duplicateIndices(values)) {
      const v = values[i] as JsonValue | typeof UNSPECIFIED;
      const badValue: JsonObject = {};
      if (v !== UNSPECIFIED) badValue[key] = v;
      addError(ctx, { type: 'Duplicate', field: path.index(i).toString(), badValue });
    }
    return true;
  }
  const values = list.map((item) => {
    const out: JsonObject = {};
    if (isJsonObject(item)) for (const key of keys) if (hasOwn(item, key)) out[key] = item[key] as JsonValue;
    return out;
  });
  for (const i of duplicateIndices(values)) addError(ctx, { type: 'Duplicate', field: path.index(i).toString(), badValue: values[i] as JsonValue });
  return true;
}
