import { createHash } from 'node:crypto';
import { isJsonObject } from '../kube/types.js';
import type { JsonValue } from '../kube/types.js';

/**
 * FIELD_HASH_LENGTH is the length of a field hash: 16 base64url characters
 * (96 bits of SHA-256), enough that an edit can't collide by chance.
 */
export const FIELD_HASH_LENGTH = 16;

/**
 * hashFieldValues returns the hash of a list of field values, each a value
 * or `undefined` for an absent field. Object keys are hashed in sorted
 * order, so the same values hash the same whatever order a client or the
 * apiserver wrote their keys in. Absence and `null` hash differently.
 */
export function hashFieldValues(values: ReadonlyArray<JsonValue | undefined>): string {
  const text = values.map((value) => (value === undefined ? '-' : `=${canonicalJson(value)}`)).join('\n');
  return createHash('sha256').update(text).digest('base64url').slice(0, FIELD_HASH_LENGTH);
}

/** canonicalJson serialises value with object keys sorted, recursively. */
function canonicalJson(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isJsonObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key] as JsonValue)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
