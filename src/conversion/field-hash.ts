// @noble/hashes rather than node:crypto: the browser playground runs conversions too, synchronously.
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex } from '@noble/hashes/utils';
import { isJsonObject } from '../kube/types.js';
import type { JsonValue } from '../kube/types.js';

/**
 * FIELD_HASH_LENGTH is the length of a field hash: 24 hex digits (96 bits
 * of SHA-256), enough that an edit can't collide by chance.
 */
export const FIELD_HASH_LENGTH = 24;

/**
 * hashFieldValues returns the hash of a list of field values, each a value
 * or `undefined` for an absent field. Object keys are hashed in sorted
 * order, so the same values hash the same whatever order a client or the
 * apiserver wrote their keys in. Absence and `null` hash differently.
 */
export function hashFieldValues(values: ReadonlyArray<JsonValue | undefined>): string {
  const text = values.map((value) => (value === undefined ? '-' : `=${canonicalJson(value)}`)).join('\n');
  return bytesToHex(sha256(text).subarray(0, FIELD_HASH_LENGTH / 2));
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
