import { deepCopy, deepEqual, hasOwn, setOwn } from '../kube/safe-object.js';
import { isJsonObject } from '../kube/types.js';
import type { JsonObject, JsonValue } from '../kube/types.js';
import { createDraft } from './object-draft.js';
import { fromPointer, toPointer } from '../kube/object-path.js';

/**
 * RestorePatch turns one object into another: `set` maps JSON pointers to
 * the values to put there, `remove` lists pointers to delete. It is what the
 * conversion-data annotation carries per version. Objects are compared key
 * by key; arrays and scalars are replaced whole (an index-wise array diff
 * would be larger and fragile).
 */
export interface RestorePatch {
  set?: Record<string, JsonValue>;
  remove?: string[];
}

/**
 * diffObjects returns the patch that turns `from` into `to`, or undefined
 * when they are equal. Keys are visited in `to`'s order, so the patch is
 * deterministic.
 */
export function diffObjects(to: JsonObject, from: JsonObject): RestorePatch | undefined {
  const set: JsonObject = {};
  const remove: string[] = [];
  walk(to, from, [], set, remove);
  const patch: RestorePatch = {};
  if (Object.keys(set).length > 0) patch.set = set;
  if (remove.length > 0) patch.remove = remove;
  return patch.set || patch.remove ? patch : undefined;
}

function walk(to: JsonObject, from: JsonObject, path: string[], set: JsonObject, remove: string[]): void {
  // One path array, pushed and popped: most keys are equal and need no pointer at all.
  for (const key of Object.keys(to)) {
    const want = to[key] as JsonValue;
    if (!hasOwn(from, key)) {
      path.push(key);
      setOwn(set, toPointer(path), deepCopy(want));
      path.pop();
      continue;
    }
    const have = from[key] as JsonValue;
    if (want === have) continue;
    path.push(key);
    if (isJsonObject(want) && isJsonObject(have)) walk(want, have, path, set, remove);
    else if (!deepEqual(want, have)) setOwn(set, toPointer(path), deepCopy(want));
    path.pop();
  }
  for (const key of Object.keys(from)) {
    if (!hasOwn(to, key)) {
      path.push(key);
      remove.push(toPointer(path));
      path.pop();
    }
  }
}

/**
 * applyRestorePatch returns target with patch applied (removals first, then
 * sets), copy-on-write: target itself is not modified. Pointers that don't
 * decode are reported through `bad` and skipped, so a hand-edited
 * annotation can't throw half-way.
 */
export function applyRestorePatch(target: JsonObject, patch: RestorePatch, bad: (pointer: string) => void = () => undefined): JsonObject {
  const draft = createDraft(target);
  for (const pointer of patch.remove ?? []) {
    const path = fromPointer(pointer);
    if (path === undefined || path.length === 0) bad(pointer);
    else draft.remove(path);
  }
  const set = patch.set ?? {};
  for (const pointer of Object.keys(set)) {
    const path = fromPointer(pointer);
    if (path === undefined || path.length === 0) bad(pointer);
    else draft.set(path, deepCopy(set[pointer] as JsonValue));
  }
  return draft.result();
}
