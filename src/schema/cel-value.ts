import type { JsonObject, JsonValue } from '../kube/types.js';
import { isJsonObject } from '../kube/types.js';
import { CelRuntimeError } from '../cel/library.js';
import type { CelInputStats } from '../cel/values.js';
import type { Schema } from './structural.js';

/*
 * Values as the apiserver hands them to x-kubernetes-validations rules
 * (apiextensions-apiserver schema/cel UnstructuredToVal): typed by the
 * schema, not by the JSON.
 */

const RESERVED = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);

/**
 * escapeCelField returns the name a CEL rule uses for an object property
 * (apiserver pkg/cel Escape): reserved words become `__word__`, and `__`,
 * `.`, `-`, `/` become `__underscores__`, `__dot__`, `__dash__`, `__slash__`.
 * Names that cannot be escaped (leading digit, other characters) return
 * undefined: rules cannot see them.
 */
export function escapeCelField(name: string): string | undefined {
  if (name === '' || /^[0-9]/.test(name)) return undefined;
  if (RESERVED.has(name)) return `__${name}__`;
  if (!/^[A-Za-z0-9_.\-/]+$/.test(name)) return undefined;
  return name.replace(/__|[.\-/]/g, (s) => (s === '__' ? '__underscores__' : s === '.' ? '__dot__' : s === '-' ? '__dash__' : '__slash__'));
}

function setKey(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

/** InvalidData marks a value that does not fit its schema: reading it in a rule is an error. */
class InvalidData {
  constructor(readonly message: string) {}
}

function goTypeName(value: JsonValue): string {
  if (Array.isArray(value)) return '[]interface {}';
  if (value === null) return 'nil';
  if (typeof value === 'object') return 'map[string]interface {}';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int64' : 'float64';
  return typeof value === 'boolean' ? 'bool' : 'string';
}

/** mismatch returns the apiserver's "invalid data" message when a value does not fit its schema's type, else null. */
function mismatch(value: JsonValue, schema: Schema | undefined): string | null {
  if (schema === undefined) return null;
  if (value === null) return schema.nullable === true ? null : 'invalid data, got null for schema with nullable=false';
  if (schema['x-kubernetes-int-or-string']) {
    return typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value)) ? null : 'invalid data, expected XIntOrString value to be either a string or integer';
  }
  switch (schema.type) {
    case 'object':
      return isJsonObject(value) ? null : 'invalid data, expected a map for the provided schema with type=object';
    case 'array':
      return Array.isArray(value) ? null : 'invalid data, expected an array for the provided schema with type=array';
    case 'string':
      return typeof value === 'string' ? null : `invalid data, expected string, got ${goTypeName(value)}`;
    case 'number':
      return typeof value === 'number' ? null : `invalid data, expected float, got ${goTypeName(value)}`;
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) ? null : `invalid data, expected int, got ${goTypeName(value)}`;
    case 'boolean':
      return typeof value === 'boolean' ? null : `invalid data, expected bool, got ${goTypeName(value)}`;
    default:
      return null;
  }
}

function setConverted(out: Record<string, unknown>, key: string, converted: unknown): void {
  if (converted instanceof InvalidData) {
    const message = converted.message;
    Object.defineProperty(out, key, {
      enumerable: true,
      configurable: true,
      get() {
        throw new CelRuntimeError(message);
      },
    });
  } else if (key === '__proto__') Object.defineProperty(out, key, { value: converted, enumerable: true, writable: true, configurable: true });
  else out[key] = converted;
}

/**
 * toSchemaCelValue converts a JSON value to the CEL value a rule sees at a
 * node of this schema (apiserver pkg/cel/common UnstructuredToVal):
 * `integer` fields are ints (BigInt) and `number` fields doubles even when
 * whole; `date-time` and `date` strings are timestamps; object properties
 * are renamed by escapeCelField; maps (additionalProperties) keep their
 * keys; objects with neither expose no fields; int-or-string and untyped
 * values keep their JSON type. A nested value that does not fit its schema
 * (a property, not a list item) reads as the apiserver's
 * `invalid data, expected int, got string` error.
 * `stats` collects the longest list and string for the cost bound.
 */
export function toSchemaCelValue(value: JsonValue, schema: Schema | undefined, stats: CelInputStats): unknown {
  if (value === null) return null;
  if (typeof value === 'number') {
    if (schema?.type === 'number') return value;
    return Number.isSafeInteger(value) ? BigInt(value) : value;
  }
  if (typeof value === 'string') {
    if (value.length > stats.maxStringLength) stats.maxStringLength = value.length;
    if (schema?.type === 'string' && (schema.format === 'date-time' || schema.format === 'date')) {
      const t = new Date(value);
      if (!Number.isNaN(t.getTime())) return t;
    }
    return value;
  }
  if (typeof value === 'boolean') return value;
  if (Array.isArray(value)) {
    if (value.length > stats.maxListLength) stats.maxListLength = value.length;
    const out: unknown[] = [];
    // cel-js inspects list elements (size(), type checks), so an item of the wrong type cannot throw
    // lazily as in the apiserver; it keeps its JSON type instead, and rules that use it fail on types.
    value.forEach((item, i) => out.push(mismatch(item, schema?.items) === null ? toSchemaCelValue(item, schema?.items, stats) : toSchemaCelValue(item, undefined, stats)));
    return out;
  }
  return objectValue(value, schema, stats);
}

/**
 * toCheckedCelValue is toSchemaCelValue for a node's own value: when the
 * value does not fit the schema's type it returns the apiserver's
 * `invalid data` message as `{ invalid }` instead.
 */
export function toCheckedCelValue(value: JsonValue, schema: Schema, stats: CelInputStats): { value: unknown } | { invalid: string } {
  const converted = convertChecked(value, schema, stats);
  return converted instanceof InvalidData ? { invalid: converted.message } : { value: converted };
}

function convertChecked(value: JsonValue, schema: Schema | undefined, stats: CelInputStats): unknown {
  const problem = mismatch(value, schema);
  return problem === null ? toSchemaCelValue(value, schema, stats) : new InvalidData(problem);
}

function objectValue(value: JsonObject, schema: Schema | undefined, stats: CelInputStats): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const props = schema?.properties;
  const additional = isJsonObject(schema?.additionalProperties as JsonValue) ? (schema?.additionalProperties as Schema) : undefined;
  const isMap = schema !== undefined && props === undefined && additional !== undefined;
  const opaque = schema !== undefined && props === undefined && additional === undefined && schema['x-kubernetes-embedded-resource'] !== true && schema['x-kubernetes-preserve-unknown-fields'] !== true;
  if (opaque) return out;
  for (const key of Object.keys(value)) {
    const item = value[key] as JsonValue;
    if (isMap) {
      setConverted(out, key, convertChecked(item, additional, stats));
      continue;
    }
    const sub = props !== undefined && Object.prototype.hasOwnProperty.call(props, key) ? props[key] : additional;
    // The apiserver drops nulls of non-nullable fields without a default while decoding.
    if (item === null && sub !== undefined && sub.nullable !== true && sub.default === undefined) continue;
    const name = escapeCelField(key);
    if (name !== undefined) setConverted(out, name, convertChecked(item, sub, stats));
  }
  return out;
}

/**
 * rootCelValue converts the whole object for a rule on the root schema: the
 * apiserver adds apiVersion, kind and metadata.name/generateName to the
 * root's type, so rules may read them.
 */
export function rootCelValue(object: JsonObject, schema: Schema, stats: CelInputStats): unknown {
  const out = objectValue(object, schema, stats);
  const meta = isJsonObject(object['metadata']) ? object['metadata'] : {};
  const metadata: Record<string, unknown> = {};
  for (const key of ['name', 'generateName']) if (typeof meta[key] === 'string') metadata[key] = meta[key];
  out['metadata'] = metadata;
  for (const key of ['apiVersion', 'kind']) if (typeof object[key] === 'string') out[key] = object[key];
  return out;
}
