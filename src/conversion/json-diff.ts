import { deepCopy, deepEqual, hasOwn, setOwn } from '../kube/safe-object.js';
import { isJsonObject } from '../kube/types.js';
import type { JsonObject, JsonValue } from '../kube/types.js';
import { removePath, setPath, toPointer, fromPointer } from './object-path.js';

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
  for (const key of Object.keys(to)) {
    const want = to[key] as JsonValue;
    const here = [...path, key];
    if (!hasOwn(from, key)) {
      setOwn(set, toPointer(here), deepCopy(want));
      continue;
    }
    const have = from[key] as JsonValue;
    if (isJsonObject(want) && isJsonObject(have)) walk(want, have, here, set, remove);
    else if (!deepEqual(want, have)) setOwn(set, toPointer(here), deepCopy(want));
  }
  for (const key of Object.keys(from)) {
    if (!hasOwn(to, key)) remove.push(toPointer([...path, key]));
  }
}

/**
 * applyRestorePatch applies patch to target in place: removals first, then
 * sets. Pointers that don't decode are reported through `bad` and skipped,
 * so a hand-edited annotation can't throw half-way.
 */
export function applyRestorePatch(target: JsonObject, patch: RestorePatch, bad: (pointer: string) => void = () => undefined): void {
  for (const pointer of patch.remove ?? []) {
    const path = fromPointer(pointer);
    if (path === undefined) bad(pointer);
    else removePath(target, path);
  }
  const set = patch.set ?? {};
  for (const pointer of Object.keys(set)) {
    const path = fromPointer(pointer);
    if (path === undefined) bad(pointer);
    else setPath(target, path, deepCopy(set[pointer] as JsonValue));
  }
}
