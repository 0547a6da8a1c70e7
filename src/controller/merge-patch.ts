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
