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
  const out: Record<string, string> = {};
  if (!isJsonObject(value as JsonValue)) return out;
  for (const [key, v] of Object.entries(value as JsonObject)) {
    if (typeof v === 'string') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
