import type { JsonObject, JsonValue } from '../kube/types.js';
import { isJsonObject } from '../kube/types.js';
import { hasOwn } from '../kube/safe-object.js';
import { goJson } from './field-error.js';
import type { Schema } from './structural.js';

/**
 * OldItemLookup finds, for an item of a new list, the item of the old list it
 * corresponds to, or undefined when there is none.
 */
export type OldItemLookup = (item: JsonValue) => JsonValue | undefined;

/**
 * listMapKeyOf returns the identity of a list-type map item: the JSON of its
 * key fields (absent keys left out), as the apiserver's map-list correlation
 * (apiserver/schema/cel/maplist.go) builds it. Non-objects have no key.
 */
export function listMapKeyOf(item: JsonValue, keys: readonly string[]): string | undefined {
  if (!isJsonObject(item)) return undefined;
  const out: JsonValue[] = [];
  for (const key of keys) out.push(hasOwn(item, key) ? (item[key] as JsonValue) : null, hasOwn(item, key));
  return goJson(out);
}

/**
 * isCorrelatableList tells whether a schema's list items correlate with the
 * old list's items: only `x-kubernetes-list-type: map` lists do, by their
 * `x-kubernetes-list-map-keys`. Other lists are compared as a whole.
 */
export function isCorrelatableList(schema: Schema): boolean {
  return schema['x-kubernetes-list-type'] === 'map' && (schema['x-kubernetes-list-map-keys']?.length ?? 0) > 0;
}

/**
 * createOldItemLookup indexes an old list-type map by key, so that each new
 * item can find its old counterpart in O(1). For other lists or a missing old
 * list, every lookup returns undefined. When keys repeat in the old list the
 * first item wins, as the apiserver's mapList does.
 */
export function createOldItemLookup(schema: Schema, old: JsonValue | undefined): OldItemLookup {
  if (!Array.isArray(old) || !isCorrelatableList(schema)) return () => undefined;
  const keys = schema['x-kubernetes-list-map-keys'] as string[];
  const byKey = new Map<string, JsonObject>();
  for (const item of old) {
    const key = listMapKeyOf(item, keys);
    if (key !== undefined && !byKey.has(key)) byKey.set(key, item as JsonObject);
  }
  return (item) => {
    const key = listMapKeyOf(item, keys);
    return key === undefined ? undefined : byKey.get(key);
  };
}
