import type { JsonObject, JsonValue } from '../kube/types.js';
import { isJsonObject } from '../kube/types.js';
import { deepCopy, deepEqual, hasOwn, setOwn } from '../kube/safe-object.js';

/**
 * createMergePatch returns the RFC 7386 JSON merge patch that turns `from`
 * into `to` (removed keys become null; arrays are replaced whole), or
 * undefined when they are already equal, so callers can skip the write.
 */
export function createMergePatch(from: JsonValue, to: JsonValue): JsonValue | undefined {
  if (deepEqual(from, to)) return undefined;
  if (!isJsonObject(from) || !isJsonObject(to)) return deepCopy(to);
  const patch: JsonObject = {};
  for (const key of Object.keys(from)) {
    if (!hasOwn(to, key)) setOwn(patch, key, null);
  }
  for (const key of Object.keys(to)) {
    const sub = hasOwn(from, key) ? createMergePatch(from[key]!, to[key]!) : deepCopy(to[key]!);
    if (sub !== undefined) setOwn(patch, key, sub);
  }
  return patch;
}

/**
 * isSubset tells whether every field of `want` is present with the same
 * value in `have` (objects recursively, arrays element by element with equal
 * length). Extra fields in `have` are allowed: they are what the API server
 * defaulted (e.g. `ipMode: VIP` on a Service's ingress), and treating them as
 * a difference would make the controller rewrite the object forever.
 */
export function isSubset(want: JsonValue | undefined, have: JsonValue | undefined): boolean {
  if (want === undefined) return true;
  if (isJsonObject(want)) {
    if (!isJsonObject(have)) return false;
    return Object.keys(want).every((key) => hasOwn(have, key) && isSubset(want[key], have[key]));
  }
  if (Array.isArray(want)) {
    return Array.isArray(have) && want.length === have.length && want.every((item, i) => isSubset(item, have[i]));
  }
  return deepEqual(want, have ?? null) && have !== undefined;
}
