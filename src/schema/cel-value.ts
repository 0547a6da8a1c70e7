import type { JsonObject, JsonValue } from '../kube/types.js';
import { isJsonObject } from '../kube/types.js';
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

/**
 * toSchemaCelValue converts a JSON value to the CEL value a rule sees at a
 * node of this schema: `integer` fields are ints (BigInt) and `number` fields
 * doubles even when whole; object properties are renamed by escapeCelField;
 * maps (additionalProperties) keep their keys; int-or-string and untyped
 * values keep their JSON type (whole numbers as ints). `stats` collects the
 * longest list and string for the cost bound.
 */
export function toSchemaCelValue(value: JsonValue, schema: Schema | undefined, stats: CelInputStats): unknown {
  if (value === null) return null;
  if (typeof value === 'number') {
    if (schema?.type === 'number') return value;
    return Number.isSafeInteger(value) ? BigInt(value) : value;
  }
  if (typeof value === 'string') {
    if (value.length > stats.maxStringLength) stats.maxStringLength = value.length;
    return value;
  }
  if (typeof value === 'boolean') return value;
  if (Array.isArray(value)) {
    if (value.length > stats.maxListLength) stats.maxListLength = value.length;
    return value.map((item) => toSchemaCelValue(item, schema?.items, stats));
  }
  return objectValue(value, schema, stats);
}

function objectValue(value: JsonObject, schema: Schema | undefined, stats: CelInputStats): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const props = schema?.properties;
  const additional = isJsonObject(schema?.additionalProperties as JsonValue) ? (schema?.additionalProperties as Schema) : undefined;
  const isMap = schema !== undefined && props === undefined && additional !== undefined;
  for (const key of Object.keys(value)) {
    const item = value[key] as JsonValue;
    if (isMap) {
      setKey(out, key, toSchemaCelValue(item, additional, stats));
      continue;
    }
    const sub = props !== undefined && Object.prototype.hasOwnProperty.call(props, key) ? props[key] : additional;
    // The apiserver drops nulls of non-nullable fields without a default while decoding.
    if (item === null && sub !== undefined && sub.nullable !== true && sub.default === undefined) continue;
    const name = escapeCelField(key);
    if (name !== undefined) setKey(out, name, toSchemaCelValue(item, sub, stats));
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
