import type { JsonObject, JsonValue } from '../kube/types.js';
import { isJsonObject } from '../kube/types.js';
import { OBJECT_META_FIELDS } from '../kube/object-meta-validation.js';
import { deepCopy } from '../kube/safe-object.js';
import type { Schema } from './structural.js';

/**
 * UnknownFieldFinder lists the fields of an object the apiserver would prune
 * (drop silently, or reject under fieldValidation=Strict), as paths like
 * `spec.foo` or `spec.items[0].bar`, sorted. It never changes the object.
 */
export type UnknownFieldFinder = (object: JsonValue) => string[];

const META_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

/**
 * compileUnknownFieldFinder mirrors apiextensions-apiserver's pruning
 * algorithm (schema/pruning/algorithm.go) without deleting anything: fields
 * not declared by `properties` or `additionalProperties` are unknown, except
 * under `x-kubernetes-preserve-unknown-fields` (whose declared properties are
 * still pruned inside) and the apiVersion/kind/metadata of the root and of
 * embedded resources, whose metadata may hold only ObjectMeta's fields.
 */
export function compileUnknownFieldFinder(schema: Schema): UnknownFieldFinder {
  const root: Schema = { ...schema, 'x-kubernetes-embedded-resource': true };
  return (object) => {
    const out: string[] = [];
    prune(object, root, '', { out, remove: false }, true);
    return out.sort();
  };
}

/** Pruner returns a pruned deep copy of an object (what the apiserver keeps) and the paths it removed, sorted. */
export type Pruner = (object: JsonObject) => { object: JsonObject; unknownFields: string[] };

/**
 * compilePruner is compileUnknownFieldFinder's twin that also removes: the
 * copy it returns is the object as the apiserver holds it after decoding,
 * the input is left alone.
 */
export function compilePruner(schema: Schema): Pruner {
  const root: Schema = { ...schema, 'x-kubernetes-embedded-resource': true };
  return (object) => {
    const copy = deepCopy(object);
    const out: string[] = [];
    prune(copy, root, '', { out, remove: true }, true);
    return { object: copy, unknownFields: out.sort() };
  };
}

interface Walk {
  out: string[];
  /** remove deletes each unknown field from its (copied) parent. */
  remove: boolean;
}

function unknown(parent: JsonObject, key: string, path: string, walk: Walk): void {
  walk.out.push(path);
  if (walk.remove) delete parent[key];
}

/** unknownFieldWarning words an unknown field as the apiserver's fieldValidation=Warn warning does. */
export function unknownFieldWarning(path: string): string {
  return `unknown field "${path}"`;
}

function join(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

function childSchema(schema: Schema, key: string): Schema | undefined | null {
  const prop = schema.properties?.[key];
  if (prop !== undefined && Object.prototype.hasOwnProperty.call(schema.properties, key)) return prop;
  const additional = schema.additionalProperties;
  if (isJsonObject(additional as JsonValue)) return additional as Schema;
  if (additional === true) return undefined;
  return null; // unknown field
}

function metaUnknown(x: JsonValue, path: string, walk: Walk): void {
  const meta = isJsonObject(x) ? x['metadata'] : undefined;
  if (!isJsonObject(meta)) return;
  for (const key of Object.keys(meta)) if (!Object.prototype.hasOwnProperty.call(OBJECT_META_FIELDS, key)) unknown(meta, key, join(join(path, 'metadata'), key), walk);
}

function prune(x: JsonValue, s: Schema | undefined, path: string, walk: Walk, isRoot = false): void {
  if (s !== undefined && s['x-kubernetes-preserve-unknown-fields'] === true) {
    skipPrune(x, s, path, walk);
    return;
  }
  if (s !== undefined && s['x-kubernetes-embedded-resource'] === true) metaUnknown(x, path, walk);
  if (isJsonObject(x)) {
    for (const key of Object.keys(x)) {
      if (s === undefined) {
        unknown(x, key, join(path, key), walk);
        continue;
      }
      if (s['x-kubernetes-embedded-resource'] === true && META_FIELDS.has(key)) continue;
      const sub = childSchema(s, key);
      if (sub === null) {
        if (!META_FIELDS.has(key) || !isRoot) unknown(x, key, join(path, key), walk);
      } else prune(x[key] as JsonValue, sub, join(path, key), walk);
    }
  } else if (Array.isArray(x)) {
    x.forEach((item, i) => prune(item, s?.items, `${path}[${i}]`, walk));
  }
}

function skipPrune(x: JsonValue, s: Schema, path: string, walk: Walk): void {
  if (isJsonObject(x)) {
    if (s['x-kubernetes-embedded-resource'] === true) metaUnknown(x, path, walk);
    for (const key of Object.keys(x)) {
      if (s['x-kubernetes-embedded-resource'] === true && META_FIELDS.has(key)) continue;
      const sub = childSchema(s, key);
      if (sub !== null) prune(x[key] as JsonValue, sub, join(path, key), walk);
    }
  } else if (Array.isArray(x) && s.items) {
    x.forEach((item, i) => skipPrune(item, s.items as Schema, `${path}[${i}]`, walk));
  }
}
