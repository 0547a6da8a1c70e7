import type { JsonObject, JsonValue } from '../kube/types.js';
import { isJsonObject } from '../kube/types.js';
import { hasOwn } from '../kube/safe-object.js';

/**
 * Read-only accessors for object metadata of plain JSON objects. They never
 * mutate their argument: cached objects are shared and must stay untouched.
 */

/** metadataOf returns obj.metadata or an empty object. */
export function metadataOf(obj: JsonObject): JsonObject {
  return isJsonObject(obj.metadata) ? obj.metadata : {};
}

function stringField(obj: JsonObject, key: string): string {
  const value = hasOwn(obj, key) ? obj[key] : undefined;
  return typeof value === 'string' ? value : '';
}

/** nameOf returns metadata.name ("" when absent). */
export function nameOf(obj: JsonObject): string {
  return stringField(metadataOf(obj), 'name');
}

/** namespaceOf returns metadata.namespace ("" for cluster-scoped objects). */
export function namespaceOf(obj: JsonObject): string {
  return stringField(metadataOf(obj), 'namespace');
}

/** uidOf returns metadata.uid. */
export function uidOf(obj: JsonObject): string {
  return stringField(metadataOf(obj), 'uid');
}

/** resourceVersionOf returns metadata.resourceVersion. */
export function resourceVersionOf(obj: JsonObject): string {
  return stringField(metadataOf(obj), 'resourceVersion');
}

/** objectKey is client-go's MetaNamespaceKeyFunc: `namespace/name`, or `name` when cluster-scoped. */
export function objectKey(obj: JsonObject): string {
  const ns = namespaceOf(obj);
  return ns ? `${ns}/${nameOf(obj)}` : nameOf(obj);
}

/** splitKey parses a key made by objectKey back into namespace and name. */
export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** stringMap returns metadata[field] (labels or annotations) as a string map; non-strings are dropped. */
export function stringMap(obj: JsonObject, field: 'labels' | 'annotations'): Record<string, string> {
  const raw = metadataOf(obj)[field];
  const out: Record<string, string> = Object.create(null);
  if (!isJsonObject(raw)) return out;
  for (const key of Object.keys(raw)) {
    const value = raw[key];
    if (typeof value === 'string') out[key] = value;
  }
  return out;
}

/** finalizersOf returns metadata.finalizers as strings. */
export function finalizersOf(obj: JsonObject): string[] {
  const raw = metadataOf(obj).finalizers;
  return Array.isArray(raw) ? raw.filter((f): f is string => typeof f === 'string') : [];
}

/** isBeingDeleted tells whether metadata.deletionTimestamp is set. */
export function isBeingDeleted(obj: JsonObject): boolean {
  return typeof metadataOf(obj).deletionTimestamp === 'string';
}

/** getPath reads a dot-separated path (e.g. `spec.ports`) from obj; undefined when any step is missing. */
export function getPath(obj: JsonValue, path: string): JsonValue | undefined {
  let current: JsonValue | undefined = obj;
  for (const part of path.split('.')) {
    if (!isJsonObject(current) || !hasOwn(current, part)) return undefined;
    current = current[part];
  }
  return current;
}
