import type { JsonValue } from '../kube/types.js';
import { isJsonObject } from '../kube/types.js';
import { OBJECT_META_FIELDS } from '../kube/object-meta-validation.js';
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
    prune(object, root, '', out, true);
    return out.sort();
  };
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

function metaUnknown(x: JsonValue, path: string, out: string[]): void {
  const meta = isJsonObject(x) ? x['metadata'] : undefined;
  if (!isJsonObject(meta)) return;
  for (const key of Object.keys(meta)) if (!Object.prototype.hasOwnProperty.call(OBJECT_META_FIELDS, key)) out.push(join(join(path, 'metadata'), key));
}

function prune(x: JsonValue, s: Schema | undefined, path: string, out: string[], isRoot = false): void {
  if (s !== undefined && s['x-kubernetes-preserve-unknown-fields'] === true) {
    skipPrune(x, s, path, out);
    return;
  }
  if (s !== undefined && s['x-kubernetes-embedded-resource'] === true) metaUnknown(x, path, out);
  if (isJsonObject(x)) {
    for (const key of Object.keys(x)) {
      if (s === undefined) {
        out.push(join(path, key));
        continue;
      }
      if (s['x-kubernetes-embedded-resource'] === true && META_FIELDS.has(key)) continue;
      const sub = childSchema(s, key);
      if (sub === null) {
        if (!META_FIELDS.has(key) || !isRoot) out.push(join(path, key));
      } else prune(x[key] as JsonValue, sub, join(path, key), out);
    }
  } else if (Array.isArray(x)) {
    x.forEach((item, i) => prune(item, s?.items, `${path}[${i}]`, out));
  }
}

function skipPrune(x: JsonValue, s: Schema, path: string, out: string[]): void {
  if (isJsonObject(x)) {
    if (s['x-kubernetes-embedded-resource'] === true) metaUnknown(x, path, out);
    for (const key of Object.keys(x)) {
      if (s['x-kubernetes-embedded-resource'] === true && META_FIELDS.has(key)) continue;
      const sub = childSchema(s, key);
      if (sub !== null) prune(x[key] as JsonValue, sub, join(path, key), out);
    }
  } else if (Array.isArray(x) && s.items) {
    x.forEach((item, i) => skipPrune(item, s.items as Schema, `${path}[${i}]`, out));
  }
}
