import type { JsonObject, JsonValue } from './types.js';
import { isJsonObject } from './types.js';
import { hasOwn, setOwn } from './safe-object.js';
import { PortcullisError } from './errors.js';

/*
 * The one field-path syntax of every document Portcullis reads (policies,
 * conversions, bindings; docs/paths.md): field names joined by dots,
 * `["key"]` or `['key']` for keys holding dots, slashes or other characters,
 * `[N]` for list indexes, an optional leading dot. Also the conversions to
 * and from RFC 6901 JSON pointers and the reads and writes by path.
 */

/** PathSegment is one step of a path: an object key (string) or a list index (number). */
export type PathSegment = string | number;

/** KeyPath is a path of object keys only, e.g. `['spec', 'cronSpec']` (no list indexes). */
export type KeyPath = readonly string[];

/** ObjectPath is a parsed field path such as `spec.owner`, `metadata.labels["app.kubernetes.io/name"]` or `spec.hooks[0].url`. */
export interface ObjectPath {
  /** source is the path as written. */
  readonly source: string;
  readonly segments: readonly PathSegment[];
  /** display renders the path in the apiserver's notation (`metadata.labels[app.kubernetes.io/name]`). */
  readonly display: string;
}

/** ObjectPathError reports a field path that does not parse; `detail` says why without the path. */
export class ObjectPathError extends PortcullisError {
  readonly source: string;
  readonly detail: string;
  constructor(source: string, detail: string) {
    super('PCL_ERR_FIELD_PATH', `invalid field path ${JSON.stringify(source)}: ${detail}`);
    this.source = source;
    this.detail = detail;
  }
}

/** A dotted field name: what policies, conversions and bindings all accepted before they shared this parser. */
const NAME = /^[A-Za-z0-9_$-]+/;
/** An identifier renders bare in the display form; any other key renders in brackets. */
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;
const QUOTED = /^\[\s*(["'])((?:\\.|(?!\1).)*)\1\s*\]/;
const INDEX = /^\[(\d+)\]/;

/**
 * parseObjectPath parses a field path: field names (letters, digits, `_`,
 * `$`, `-`) joined by dots, `["key"]` or `['key']` for any other key (a
 * backslash escapes the next character), `[N]` for list indexes. A leading
 * dot is allowed (`.spec.owner`). Throws ObjectPathError.
 */
export function parseObjectPath(source: string): ObjectPath {
  if (source === '') throw new ObjectPathError(source, 'must not be empty');
  const segments: PathSegment[] = [];
  let rest = source.startsWith('.') ? source.slice(1) : source;
  let expectName = true;
  while (rest.length > 0) {
    if (rest.startsWith('[')) {
      const quoted = QUOTED.exec(rest);
      const index = INDEX.exec(rest);
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
    const name = NAME.exec(rest);
    if (!name) throw new ObjectPathError(source, `segment ${JSON.stringify(/^[^.[]*/.exec(rest)![0])} of ${JSON.stringify(source)} must be an identifier`);
    segments.push(name[0]);
    rest = rest.slice(name[0].length);
    expectName = false;
  }
  if (expectName) throw new ObjectPathError(source, `segment "" of ${JSON.stringify(source)} must be an identifier`);
  return { source, segments, display: displayPath(segments) };
}

/**
 * displayPath renders segments as the apiserver's field.Path does: names
 * joined by dots, indexes and keys that are not identifiers in brackets
 * (`spec.hooks[0]`, `metadata.labels[app.kubernetes.io/name]`).
 */
export function displayPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${segment}]`;
  }
  return out;
}

/** escapePointer escapes one JSON Pointer token (RFC 6901): `~` -> `~0`, `/` -> `~1`. */
export function escapePointer(token: string): string {
  // Fast path: most keys need no escaping, and the patch diff runs this for every key it visits.
  if (!token.includes('~') && !token.includes('/')) return token;
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** toPointer encodes segments as an RFC 6901 JSON pointer (`/spec/hooks/0`). */
export function toPointer(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) out += `/${typeof segment === 'number' ? String(segment) : escapePointer(segment)}`;
  return out;
}

/** fromPointer decodes an RFC 6901 JSON pointer into its tokens; undefined when it is not one. The root `""` decodes to `[]`. */
export function fromPointer(pointer: string): string[] | undefined {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return undefined;
  const out: string[] = [];
  for (const raw of pointer.slice(1).split('/')) {
    if (/~[^01]|~$/.test(raw)) return undefined;
    out.push(raw.replace(/~1/g, '/').replace(/~0/g, '~'));
  }
  return out;
}

/**
 * pointerToDisplay renders a JSON pointer (`/spec/rules/0/name`, as ajv
 * reports instance paths) in the display form (`spec.rules[0].name`);
 * all-digit tokens count as list indexes.
 */
export function pointerToDisplay(pointer: string): string {
  const tokens = fromPointer(pointer) ?? [pointer];
  return displayPath(tokens.map((t) => (/^\d+$/.test(t) ? Number(t) : t)));
}

/** getPath returns the value at a path, or undefined when any step is missing (own keys only). */
export function getPath(root: JsonValue | null | undefined, segments: readonly PathSegment[]): JsonValue | undefined {
  let current: JsonValue | undefined = root ?? undefined;
  for (const segment of segments) {
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
 * containerOf walks to the parent of the last segment, creating objects for
 * missing (or null) keys and, when `replace` is set, replacing what is not
 * an object where a key comes next; it never creates list items. Returns
 * undefined when the walk can't go on.
 */
function containerOf(root: JsonObject, segments: readonly PathSegment[], replace: boolean): JsonValue | undefined {
  let current: JsonValue = root;
  for (let i = 0; i < segments.length - 1; i++) {
    const segment = segments[i] as PathSegment;
    if (typeof segment === 'number') {
      if (!Array.isArray(current) || segment >= current.length) return undefined;
      current = current[segment] as JsonValue;
      continue;
    }
    if (!isJsonObject(current)) return undefined;
    const next: JsonValue | undefined = hasOwn(current, segment) ? current[segment] : undefined;
    const needsObject = typeof segments[i + 1] === 'string';
    if (next === undefined || next === null || (replace && needsObject && !isJsonObject(next))) {
      const created: JsonObject = {};
      setOwn(current, segment, created);
      current = created;
    } else {
      current = next;
    }
  }
  return current;
}

/**
 * setPath puts value at a path, creating objects on the way and replacing
 * whatever is not an object where a key comes next; list items must exist. Keys such as
 * `__proto__` stay data. Returns false when a step is a missing list item
 * or a list where a key is needed.
 */
export function setPath(root: JsonObject, segments: readonly PathSegment[], value: JsonValue): boolean {
  const parent = containerOf(root, segments, true);
  const key = segments[segments.length - 1] as PathSegment;
  if (typeof key === 'number') {
    if (!Array.isArray(parent) || key >= parent.length) return false;
    parent[key] = value;
    return true;
  }
  if (!isJsonObject(parent as JsonValue)) return false;
  setOwn(parent as JsonObject, key, value);
  return true;
}

/**
 * setPathIfAbsent sets the value at a path when nothing (or null) is there,
 * creating missing objects on the way. It never creates list items and never
 * replaces a non-object on the way. Returns true when it changed the object.
 */
export function setPathIfAbsent(root: JsonObject, segments: readonly PathSegment[], value: JsonValue): boolean {
  const parent = containerOf(root, segments, false);
  const key = segments[segments.length - 1] as PathSegment;
  if (typeof key === 'number') {
    if (!Array.isArray(parent) || key >= parent.length || (parent[key] !== null && parent[key] !== undefined)) return false;
    parent[key] = value;
    return true;
  }
  if (!isJsonObject(parent as JsonValue)) return false;
  if (hasOwn(parent as JsonObject, key) && (parent as JsonObject)[key] !== null) return false;
  setOwn(parent as JsonObject, key, value);
  return true;
}

/** removePath deletes the value at a path (a list item is spliced out); returns false when nothing was there. */
export function removePath(root: JsonObject, segments: readonly PathSegment[]): boolean {
  if (segments.length === 0) return false;
  const parent = getPath(root, segments.slice(0, -1));
  const key = segments[segments.length - 1] as PathSegment;
  if (typeof key === 'number') {
    if (!Array.isArray(parent) || key >= parent.length) return false;
    parent.splice(key, 1);
    return true;
  }
  if (!isJsonObject(parent as JsonValue) || !hasOwn(parent as JsonObject, key)) return false;
  delete (parent as JsonObject)[key];
  return true;
}
