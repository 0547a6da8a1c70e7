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
 * the apiserver's ratcheting decides it (CorrelatedObject.CachedDeepEqual),
 * on objects as decoded (pruned): objects key by key, and a key without a
 * schema of its own (content kept by x-kubernetes-preserve-unknown-fields,
 * an embedded resource's undeclared apiVersion/kind/metadata) never
 * correlates, so its object counts as changed and nothing above it ratchets;
 * list-type map lists item by item through their keys (reordering is no
 * change, an item that cannot be correlated is); other lists, and lists
 * without a schema, by plain equality; scalars by equality.
 */
export function correlatedEqual(schema: Schema | undefined, value: JsonValue, old: JsonValue): boolean {
  if (value === old) return true;
  if (value === null || old === null) return false;
  if (Array.isArray(value) && Array.isArray(old)) return listsEqual(schema, value, old);
  if (isJsonObject(value) && isJsonObject(old)) {
    const keys = Object.keys(value);
    if (keys.length !== Object.keys(old).length) return false;
    return keys.every((k) => {
      const sub = childSchema(schema, k);
      return sub !== undefined && hasOwn(old, k) && correlatedEqual(sub, value[k] as JsonValue, old[k] as JsonValue);
    });
  }
  return !Array.isArray(value) && !Array.isArray(old) && !isJsonObject(value) && !isJsonObject(old) && deepEqual(value, old);
}

function listsEqual(schema: Schema | undefined, value: JsonValue[], old: JsonValue[]): boolean {
  if (value.length !== old.length) return false;
  if (schema === undefined || !isCorrelatableList(schema)) return deepEqual(value, old);
  const lookup = createOldItemLookup(schema, old);
  return value.every((item) => {
    const counterpart = lookup(item);
    return counterpart !== undefined && schema.items !== undefined && correlatedEqual(schema.items, item, counterpart);
  });
}
