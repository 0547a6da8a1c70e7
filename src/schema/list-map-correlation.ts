import type { JsonObject, JsonValue } from '../kube/types.js';
import { isJsonObject } from '../kube/types.js';
import { deepEqual, hasOwn } from '../kube/safe-object.js';
import type { Schema } from './structural.js';

/*
 * How the apiserver pairs a new value with its old value on UPDATE, for
 * ratcheting and CEL's oldSelf (k8s.io/apiserver/pkg/cel/common: maplist.go
 * and CorrelatedObject in equality.go).
 */

/**
 * OldItemLookup finds, for an item of a new list, the item of the old list it
 * corresponds to, or undefined when there is none.
 */
export type OldItemLookup = (item: JsonValue) => JsonValue | undefined;

/**
 * listMapKeyOf returns the identity of a list-type map item from its key
 * fields, or undefined when the item is not an object, lacks a key field, or
 * has a non-scalar key: such items correlate with nothing.
 */
export function listMapKeyOf(item: JsonValue, keys: readonly string[]): string | undefined {
  if (!isJsonObject(item)) return undefined;
  const parts: string[] = [];
  for (const key of keys) {
    if (!hasOwn(item, key)) return undefined;
    const v = item[key] as JsonValue;
    if (v === null || typeof v === 'object') return undefined;
    parts.push(`${typeof v}:${String(v)}`);
  }
  return JSON.stringify(parts);
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
 * item can find its old counterpart. For other lists or a missing old list,
 * every lookup returns undefined. When keys repeat in the old list the first
 * item wins, as the apiserver's mapList does.
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

function childSchema(schema: Schema | undefined, key: string): Schema | undefined {
  if (schema === undefined) return undefined;
  if (schema.properties !== undefined && hasOwn(schema.properties, key)) return schema.properties[key];
  return typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
}

/**
 * correlatedEqual tells whether a value is unchanged from its old value as
 * the apiserver's ratcheting decides it (CorrelatedObject.CachedDeepEqual):
 * objects key by key, ignoring fields it would prune; list-type map lists
 * item by item through their keys,
 * so reordering is no change but an item that cannot be correlated (a key
 * field missing) is; other lists and scalars by plain equality.
 */
export function correlatedEqual(schema: Schema | undefined, value: JsonValue, old: JsonValue): boolean {
  if (value === old) return true;
  if (Array.isArray(value) && Array.isArray(old)) {
    if (value.length !== old.length) return false;
    if (schema === undefined || !isCorrelatableList(schema)) return deepEqual(value, old);
    const lookup = createOldItemLookup(schema, old);
    return value.every((item) => {
      const counterpart = lookup(item);
      return counterpart !== undefined && correlatedEqual(schema.items, item, counterpart);
    });
  }
  if (isJsonObject(value) && isJsonObject(old)) {
    // Fields the apiserver prunes are gone before it compares: compare only the fields it keeps.
    const kept = (k: string) => schema === undefined || childSchema(schema, k) !== undefined || schema['x-kubernetes-preserve-unknown-fields'] === true || schema['x-kubernetes-embedded-resource'] === true;
    const keys = Object.keys(value).filter(kept);
    if (keys.length !== Object.keys(old).filter(kept).length) return false;
    return keys.every((k) => hasOwn(old, k) && correlatedEqual(childSchema(schema, k), value[k] as JsonValue, old[k] as JsonValue));
  }
  return deepEqual(value, old);
}
