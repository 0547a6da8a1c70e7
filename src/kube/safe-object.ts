import type { JsonObject, JsonValue } from './types.js';

/**
 * setOwn assigns `obj[key] = value` as an own, enumerable data property even
 * for keys like `__proto__`, where plain assignment would replace the
 * prototype instead (prototype pollution through user-controlled JSON keys).
 */
export function setOwn(obj: JsonObject, key: string, value: JsonValue): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

/** hasOwn tells whether obj has key as an own property (never inherited ones). */
export function hasOwn(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/**
 * deepCopy returns a structural copy of a JSON value. Keys are copied with
 * setOwn, so `__proto__` keys stay plain data. Iterative depth is bounded by
 * the input, which the HTTP layer already bounds by size.
 */
export function deepCopy<T extends JsonValue>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => deepCopy(item)) as T;
  const out: JsonObject = {};
  for (const key of Object.keys(value)) setOwn(out, key, deepCopy((value as JsonObject)[key] as JsonValue));
  return out as T;
}

/** deepEqual compares two JSON values structurally (object key order ignored). */
export function deepEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bArr = b as JsonValue[];
    if (a.length !== bArr.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], bArr[i])) return false;
    return true;
  }
  const aObj = a as JsonObject;
  const bObj = b as JsonObject;
  const aKeys = Object.keys(aObj);
  if (aKeys.length !== Object.keys(bObj).length) return false;
  for (const key of aKeys) {
    if (!hasOwn(bObj, key) || !deepEqual(aObj[key], bObj[key])) return false;
  }
  return true;
}
