import type { Operation } from 'fast-json-patch';
import type { JsonObject, JsonValue } from '../kube/types.js';
import { isJsonObject } from '../kube/types.js';
import { deepEqual, hasOwn } from '../kube/safe-object.js';
import { escapePointer } from '../kube/object-path.js';

/**
 * createMinimalPatch returns the RFC 6902 operations that turn `original` into
 * `modified`, touching only what differs: keys added are `add`, values that
 * changed are `replace` (or recursed into when both sides are objects, or
 * arrays of the same length), keys that vanished are `remove`. Arrays of
 * different lengths are patched on their common prefix and extended or cut
 * at the end, so removing one element never rewrites the others' paths one by
 * one. Unknown fields that `modified` kept are never touched: the patch is
 * computed between two raw JSON trees, not a typed model (protocol.md §1.5).
 */
export function createMinimalPatch(original: JsonValue, modified: JsonValue): Operation[] {
  const ops: Operation[] = [];
  diff(original, modified, '', ops);
  return ops;
}

function diff(a: JsonValue, b: JsonValue, path: string, ops: Operation[]): void {
  if (a === b) return;
  if (isJsonObject(a) && isJsonObject(b)) {
    diffObjects(a, b, path, ops);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    diffArrays(a, b, path, ops);
    return;
  }
  if (!deepEqual(a, b)) ops.push({ op: 'replace', path, value: b });
}

function diffObjects(a: JsonObject, b: JsonObject, path: string, ops: Operation[]): void {
  for (const key of Object.keys(a)) {
    if (!hasOwn(b, key)) ops.push({ op: 'remove', path: `${path}/${escapePointer(key)}` });
  }
  for (const key of Object.keys(b)) {
    const child = `${path}/${escapePointer(key)}`;
    if (!hasOwn(a, key)) ops.push({ op: 'add', path: child, value: b[key] as JsonValue });
    else diff(a[key] as JsonValue, b[key] as JsonValue, child, ops);
  }
}

function diffArrays(a: JsonValue[], b: JsonValue[], path: string, ops: Operation[]): void {
  const common = Math.min(a.length, b.length);
  for (let i = 0; i < common; i++) diff(a[i] as JsonValue, b[i] as JsonValue, `${path}/${i}`, ops);
  for (let i = a.length - 1; i >= common; i--) ops.push({ op: 'remove', path: `${path}/${i}` });
  for (let i = common; i < b.length; i++) ops.push({ op: 'add', path: `${path}/${i}`, value: b[i] as JsonValue });
}
