import type { JsonObject, JsonValue } from '../kube/types.js';
import { PortcullisError } from '../kube/errors.js';

/** CelInputStats describes the size of the data handed to a CEL program, for the cost bound. */
export interface CelInputStats {
  /** maxListLength is the length of the longest list (or the size of the largest map) in the input: what a comprehension can iterate. */
  maxListLength: number;
  /** maxStringLength is the length of the longest string in the input. */
  maxStringLength: number;
}

/** emptyStats returns stats for input with no lists and no strings. */
export function emptyStats(): CelInputStats {
  return { maxListLength: 0, maxStringLength: 0 };
}

/**
 * toCelValue converts a JSON value to what CEL evaluates: whole numbers
 * become CEL ints (BigInt), as the apiserver reads integer fields; other
 * numbers stay doubles. Keys such as `__proto__` stay plain data. It updates
 * `stats` with the sizes it saw.
 */
export function toCelValue(value: JsonValue | undefined, stats: CelInputStats = emptyStats()): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number') return Number.isInteger(value) && Number.isSafeInteger(value) ? BigInt(value) : value;
  if (typeof value === 'string') {
    if (value.length > stats.maxStringLength) stats.maxStringLength = value.length;
    return value;
  }
  if (typeof value === 'boolean') return value;
  // Copy on write: a list or map is copied only when something inside it
  // converts (a whole number); string-only maps such as labels are shared,
  // which saves most of the work on big objects. CEL never mutates its input.
  if (Array.isArray(value)) {
    if (value.length > stats.maxListLength) stats.maxListLength = value.length;
    let list: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      const converted = toCelValue(item, stats);
      if (list === undefined && converted !== item) list = value.slice(0, i);
      if (list !== undefined) list.push(converted);
    }
    return list ?? value;
  }
  const keys = Object.keys(value);
  if (keys.length > stats.maxListLength) stats.maxListLength = keys.length;
  let out: Record<string, unknown> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const original = (value as JsonObject)[key];
    const converted = toCelValue(original, stats);
    if (out === undefined && converted !== original) {
      out = {};
      for (let j = 0; j < i; j++) setData(out, keys[j] as string, (value as JsonObject)[keys[j] as string]);
    }
    if (out !== undefined) setData(out, key, converted);
  }
  return out ?? value;
}

function setData(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

/** CelValueError reports a CEL result that has no JSON form (a type, a function). */
export class CelValueError extends PortcullisError {
  constructor(message: string) {
    super('PCL_ERR_CEL_VALUE', message);
  }
}

/**
 * fromCelValue converts a CEL result back to JSON: ints and uints become
 * numbers (a CelValueError past 2^53), maps become objects, bytes become
 * base64 strings, timestamps RFC 3339 strings, durations their CEL string.
 */
export function fromCelValue(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return bigToNumber(value);
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(fromCelValue);
  if (value instanceof Map) {
    const out: JsonObject = {};
    for (const [k, v] of value) setKey(out, String(k), fromCelValue(v));
    return out;
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    const ctorName = (value as { constructor?: { name?: string } }).constructor?.name;
    if (ctorName === 'UnsignedInt') return bigToNumber(BigInt(String((value as { valueOf(): unknown }).valueOf())));
    if (ctorName === 'Duration') return String(value);
    if (proto === Object.prototype || proto === null) {
      const out: JsonObject = {};
      for (const key of Object.keys(value)) setKey(out, key, fromCelValue((value as Record<string, unknown>)[key]));
      return out;
    }
  }
  throw new CelValueError(`CEL value of type ${typeof value} has no JSON form`);
}

function bigToNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new CelValueError(`integer ${value} is too large for JSON`);
  }
  return Number(value);
}

function setKey(out: JsonObject, key: string, value: JsonValue): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}
