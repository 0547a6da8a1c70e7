import type { JsonObject, JsonValue } from '../kube/types.js';
import { isJsonObject } from '../kube/types.js';
import { hasOwn, setOwn } from '../kube/safe-object.js';

/** PathSegment is one step of an ObjectPath: a property name or a list index. */
export type PathSegment = string | number;

/** ObjectPath is a parsed field path such as `spec.owner`, `metadata.labels["app.kubernetes.io/name"]` or `spec.hooks[0].url`. */
export interface ObjectPath {
  readonly source: string;
  readonly segments: readonly PathSegment[];
  /** display renders the path in the apiserver's notation (`metadata.labels[app.kubernetes.io/name]`). */
  readonly display: string;
}

/** ObjectPathError reports a field path that does not parse. */
export class ObjectPathError extends Error {
  readonly code = 'PCL_ERR_FIELD_PATH';
  constructor(source: string, detail: string) {
    super(`invalid field path ${JSON.stringify(source)}: ${detail}`);
    this.name = 'ObjectPathError';
  }
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$-]*/;

/**
 * parseObjectPath parses a field path: identifiers joined by dots, with
 * `["key"]` or `['key']` for keys holding dots or slashes and `[N]` for
 * list indexes. A leading dot is allowed (`.spec.owner`).
 */
export function parseObjectPath(source: string): ObjectPath {
  const segments: PathSegment[] = [];
  let rest = source.startsWith('.') ? source.slice(1) : source;
  let expectName = true;
  while (rest.length > 0) {
    if (rest.startsWith('[')) {
      const quoted = /^\[\s*(["'])((?:\\.|(?!\1).)*)\1\s*\]/.exec(rest);
      const index = /^\[(\d+)\]/.exec(rest);
      if (quoted) segments.push((quoted[2] as string).replace(/\\(.)/g, '$1'));
      else if (index) segments.push(Number(index[1]));
      else throw new ObjectPathError(source, `bad subscript at ${JSON.stringify(rest)}`);
      rest = rest.slice((quoted ?? index)![0].length);
      expectName = false;
      continue;
    }
    if (!expectName) {
      if (!rest.startsWith('.')) throw new ObjectPathError(source, `expected "." or "[" at ${JSON.stringify(rest)}`);
      rest = rest.slice(1);
    }
    const ident = IDENT.exec(rest);
    if (!ident) throw new ObjectPathError(source, `expected a field name at ${JSON.stringify(rest)}`);
    segments.push(ident[0]);
    rest = rest.slice(ident[0].length);
    expectName = false;
  }
  if (segments.length === 0) throw new ObjectPathError(source, 'empty path');
  return { source, segments, display: displayPath(segments) };
}

/** displayPath renders segments as the apiserver's field.Path does. */
export function displayPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${segment}]`;
  }
  return out;
}

/** getPath returns the value at a path, or undefined when any step is missing. */
export function getPath(root: JsonValue | null | undefined, path: ObjectPath): JsonValue | undefined {
  let current: JsonValue | undefined = root ?? undefined;
  for (const segment of path.segments) {
    if (typeof segment === 'number') {
      if (!Array.isArray(current) || segment >= current.length) return undefined;
      current = current[segment];
    } else {
      if (!isJsonObject(current as JsonValue) || !hasOwn(current as JsonObject, segment)) return undefined;
      current = (current as JsonObject)[segment];
    }
  }
  return current;
}

/**
 * setPathIfAbsent sets the value at a path when nothing (or null) is there,
 * creating missing objects on the way. It never creates list items and never
 * replaces a non-object on the way. Returns true when it changed the object.
 */
export function setPathIfAbsent(root: JsonObject, path: ObjectPath, value: JsonValue): boolean {
  let current: JsonValue = root;
  const last = path.segments.length - 1;
  for (let i = 0; i < last; i++) {
    const segment = path.segments[i] as PathSegment;
    if (typeof segment === 'number') {
      if (!Array.isArray(current) || segment >= current.length) return false;
      current = current[segment] as JsonValue;
      continue;
    }
    if (!isJsonObject(current)) return false;
    const next: JsonValue | undefined = hasOwn(current, segment) ? current[segment] : undefined;
    if (next === undefined || next === null) {
      const created: JsonObject = {};
      setOwn(current, segment, created);
      current = created;
    } else {
      current = next;
    }
  }
  const key = path.segments[last] as PathSegment;
  if (typeof key === 'number') {
    if (!Array.isArray(current) || key >= current.length || (current[key] !== null && current[key] !== undefined)) return false;
    current[key] = value;
    return true;
  }
  if (!isJsonObject(current)) return false;
  if (hasOwn(current, key) && current[key] !== null) return false;
  setOwn(current, key, value);
  return true;
}
