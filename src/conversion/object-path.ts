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
