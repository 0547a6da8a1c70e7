import { hasOwn, setOwn } from '../kube/safe-object.js';
import { isJsonObject } from '../kube/types.js';
import type { JsonObject, JsonValue } from '../kube/types.js';
import type { KeyPath } from '../kube/object-path.js';

/**
 * ObjectDraft edits an object copy-on-write: the base is never modified;
 * only the objects on the paths that change are copied, the rest of the
 * result is shared with the base. Removing a key rebuilds its object rather
 * than using `delete` (which turns V8 objects into slow dictionaries).
 * Values handed to `set` become part of the result as they are.
 */
export interface ObjectDraft {
  /** get returns the current value at path, or undefined. */
  get(path: KeyPath): JsonValue | undefined;
  /** set puts value at path, replacing non-objects on the way by objects. */
  set(path: KeyPath, value: JsonValue): void;
  /** remove deletes the value at path; missing steps are fine. */
  remove(path: KeyPath): void;
  /** result returns the edited object (the base itself when nothing changed). */
  result(): JsonObject;
}

/** createDraft starts a copy-on-write edit of base. */
export function createDraft(base: JsonObject): ObjectDraft {
  return new Draft(base);
}

/* A class rather than closures: a draft is made per object converted, on the hot path. */
class Draft implements ObjectDraft {
  private root: JsonObject;
  /** owned lists the objects this draft made; drafts touch a handful of objects, so a list beats a set. */
  private readonly owned: JsonObject[] = [];

  constructor(base: JsonObject) {
    this.root = base;
  }

  get(path: KeyPath): JsonValue | undefined {
    let current: JsonValue = this.root;
    for (const key of path) {
      if (!isJsonObject(current) || !hasOwn(current, key)) return undefined;
      current = current[key] as JsonValue;
    }
    return current;
  }

  set(path: KeyPath, value: JsonValue): void {
    setOwn(this.containerAt(path, path.length - 1), path[path.length - 1] as string, value);
  }

  remove(path: KeyPath): void {
    const last = path[path.length - 1] as string;
    const parent = path.length === 1 ? this.root : this.get(path.slice(0, -1));
    if (!isJsonObject(parent) || !hasOwn(parent, last)) return;
    const rebuilt: JsonObject = {};
    for (const key of Object.keys(parent)) if (key !== last) setOwn(rebuilt, key, parent[key] as JsonValue);
    this.owned.push(rebuilt);
    if (path.length === 1) this.root = rebuilt;
    else setOwn(this.containerAt(path, path.length - 2), path[path.length - 2] as string, rebuilt);
  }

  result(): JsonObject {
    return this.root;
  }

  private own(obj: JsonObject): JsonObject {
    if (this.owned.includes(obj)) return obj;
    const copy: JsonObject = {};
    for (const key of Object.keys(obj)) setOwn(copy, key, obj[key] as JsonValue);
    this.owned.push(copy);
    return copy;
  }

  /** containerAt returns an owned object at the first `depth` steps of path, copying or creating every step. */
  private containerAt(path: KeyPath, depth: number): JsonObject {
    this.root = this.own(this.root);
    let current = this.root;
    for (let i = 0; i < depth; i++) {
      const key = path[i] as string;
      const next = hasOwn(current, key) ? current[key] : undefined;
      let child: JsonObject;
      if (isJsonObject(next)) child = this.own(next);
      else {
        child = {};
        this.owned.push(child);
      }
      setOwn(current, key, child);
      current = child;
    }
    return current;
  }
}
