import { hasOwn, setOwn } from '../kube/safe-object.js';
import { isJsonObject } from '../kube/types.js';
import type { JsonObject, JsonValue } from '../kube/types.js';

/** FieldPath is a path of object keys from the object's root, e.g. `['spec', 'cronSpec']`. */
export type FieldPath = readonly string[];

const SEGMENT = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;
const TOP_LEVEL_RESERVED = new Set(['apiVersion', 'kind', 'metadata']);

/**
 * parseFieldPath parses a dotted field path of a conversion rule (`spec.cronSpec`).
 * Segments are identifiers (letters, digits, `_`, `$`, `-`); the object's
 * apiVersion, kind and metadata are off limits (the converter sets the first
 * two and the apiserver keeps metadata), and so is `__proto__`.
 * Returns the path or a message saying what is wrong.
 */
export function parseFieldPath(text: string): FieldPath | string {
  if (text === '') return 'must not be empty';
  const parts = text.split('.');
  for (const part of parts) {
    if (!SEGMENT.test(part)) return `segment ${JSON.stringify(part)} of ${JSON.stringify(text)} must be an identifier`;
    if (part === '__proto__' || part === 'constructor' || part === 'prototype') return `segment ${JSON.stringify(part)} is not allowed`;
  }
  if (TOP_LEVEL_RESERVED.has(parts[0] as string)) return `${parts[0]} is managed by the converter and the apiserver, not by rules`;
  return parts;
}

/** formatFieldPath joins a path with dots, the way messages name fields. */
export function formatFieldPath(path: FieldPath): string {
  return path.join('.');
}

/** getPath returns the value at path, or undefined when any step is missing or not an object. */
export function getPath(root: JsonObject, path: FieldPath): JsonValue | undefined {
  let current: JsonValue = root;
  for (const key of path) {
    if (!isJsonObject(current) || !hasOwn(current, key)) return undefined;
    current = current[key] as JsonValue;
  }
  return current;
}

/**
 * setPath sets the value at path, creating missing objects on the way. A
 * step that holds a non-object is replaced by an object: the rule author
 * asked for that shape.
 */
export function setPath(root: JsonObject, path: FieldPath, value: JsonValue): void {
  let current = root;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] as string;
    const next = hasOwn(current, key) ? current[key] : undefined;
    if (isJsonObject(next)) current = next;
    else {
      const created: JsonObject = {};
      setOwn(current, key, created);
      current = created;
    }
  }
  setOwn(current, path[path.length - 1] as string, value);
}

/** removePath deletes the value at path; missing steps are fine. Returns whether something was removed. */
export function removePath(root: JsonObject, path: FieldPath): boolean {
  let current: JsonValue = root;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] as string;
    if (!isJsonObject(current) || !hasOwn(current, key)) return false;
    current = current[key] as JsonValue;
  }
  const last = path[path.length - 1] as string;
  if (!isJsonObject(current) || !hasOwn(current, last)) return false;
  delete current[last];
  return true;
}

/** toPointer encodes a path as an RFC 6901 JSON pointer (`~` -> `~0`, `/` -> `~1`). */
export function toPointer(path: FieldPath): string {
  return path.map((key) => `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** fromPointer decodes an RFC 6901 JSON pointer; returns undefined when it is not one (or is the root). */
export function fromPointer(pointer: string): string[] | undefined {
  if (!pointer.startsWith('/')) return undefined;
  const out: string[] = [];
  for (const raw of pointer.slice(1).split('/')) {
    if (/~[^01]|~$/.test(raw)) return undefined;
    out.push(raw.replace(/~1/g, '/').replace(/~0/g, '~'));
  }
  return out;
}
