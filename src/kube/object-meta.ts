import type { JsonObject, JsonValue } from './types.js';
import { isJsonObject } from './types.js';
import { hasOwn } from './safe-object.js';

/*
 * Read-only accessors for the metadata of plain JSON objects. They never
 * mutate their argument: informer caches and admission requests share
 * objects, which must stay untouched.
 */

/** metadataOf returns an object's metadata, or an empty object when it has none (or no object is given). */
export function metadataOf(obj: JsonObject | null | undefined): JsonObject {
  const metadata = obj?.['metadata'];
  return isJsonObject(metadata as JsonValue) ? (metadata as JsonObject) : {};
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

/** uidOf returns metadata.uid ("" when absent). */
export function uidOf(obj: JsonObject): string {
  return stringField(metadataOf(obj), 'uid');
}

/** resourceVersionOf returns metadata.resourceVersion ("" when absent). */
export function resourceVersionOf(obj: JsonObject): string {
  return stringField(metadataOf(obj), 'resourceVersion');
}

/**
 * stringMapOf returns metadata.<field> (labels, annotations) with only its
 * string values, as a null-prototype record: a `__proto__` key is plain
 * data, and no inherited key is ever "present".
 */
export function stringMapOf(obj: JsonObject | null | undefined, field: 'labels' | 'annotations'): Record<string, string> {
  const raw = metadataOf(obj)[field];
  const out = Object.create(null) as Record<string, string>;
  if (!isJsonObject(raw as JsonValue)) return out;
  for (const key of Object.keys(raw as JsonObject)) {
    const value = (raw as JsonObject)[key];
    if (typeof value === 'string') out[key] = value;
  }
  return out;
}

/** finalizersOf returns metadata.finalizers as strings (others dropped). */
export function finalizersOf(obj: JsonObject): string[] {
  const raw = metadataOf(obj)['finalizers'];
  return Array.isArray(raw) ? raw.filter((f): f is string => typeof f === 'string') : [];
}

/** isBeingDeleted tells whether metadata.deletionTimestamp is set. */
export function isBeingDeleted(obj: JsonObject): boolean {
  return typeof metadataOf(obj)['deletionTimestamp'] === 'string';
}
