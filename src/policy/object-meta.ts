import type { JsonObject, JsonValue } from '../kube/types.js';
import { isJsonObject } from '../kube/types.js';

/** metadataOf returns an object's metadata, or an empty object. */
export function metadataOf(object: JsonObject | null | undefined): JsonObject {
  const metadata = object?.['metadata'];
  return isJsonObject(metadata as JsonValue) ? (metadata as JsonObject) : {};
}

/** stringMapOf returns metadata.<field> (labels, annotations) with only its string values. */
export function stringMapOf(object: JsonObject | null | undefined, field: 'labels' | 'annotations'): Record<string, string> {
  const value = metadataOf(object)[field];
  // A null-prototype record: a `__proto__` key is plain data, and no inherited key is ever "present".
  const out = Object.create(null) as Record<string, string>;
  if (!isJsonObject(value as JsonValue)) return out;
  for (const key of Object.keys(value as JsonObject)) {
    const v = (value as JsonObject)[key];
    if (typeof v === 'string') out[key] = v;
  }
  return out;
}
