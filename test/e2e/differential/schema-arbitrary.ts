/**
 * Arbitraries for objects of a CRD schema, for the differential test: values
 * that satisfy the structural keywords (types, enums, patterns, bounds,
 * required fields, list-type uniqueness) — CEL rules may still reject them,
 * which is as interesting. Optional fields appear with a probability that
 * falls with depth, so objects stay small.
 */
import fc from 'fast-check';
import type { JsonObject, JsonValue } from '../../../src/kube/types.js';
import type { Schema } from '../../../src/schema/structural.js';

/** MAX_DEPTH is how deep optional structure may go. */
const MAX_DEPTH = 6;

const SIMPLE_WORD = fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/);

function jsRegExp(pattern: string): RegExp | null {
  try {
    return new RegExp(pattern.replace(/\\z/g, '$'), 'u');
  } catch {
    return null;
  }
}

function stringArb(schema: Schema): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? Math.max(min, 24);
  const fits = (s: string) => [...s].length >= min && [...s].length <= max;
  switch (schema.format) {
    case 'date-time':
      return fc.constantFrom('2024-01-02T03:04:05Z', '2030-12-31T23:59:59Z');
    case 'ipv4':
      return fc.ipV4();
    case 'ipv6':
      return fc.constantFrom('::1', 'fe80::1', '2001:db8::2');
    case 'byte':
      return fc.constantFrom('aGVsbG8=', 'd29ybGQ=');
    default:
  }
  if (schema.pattern !== undefined) {
    const re = jsRegExp(schema.pattern);
    if (re !== null) return fc.stringMatching(re, { size: 'xsmall' }).filter(fits);
  }
  if (min > 8) return fc.constant('a'.repeat(min));
  return SIMPLE_WORD.filter(fits);
}

function integerArb(schema: Schema): fc.Arbitrary<number> {
  let min = schema.minimum ?? 0;
  let max = schema.maximum ?? Math.max(min, 0) + 100;
  if (schema.exclusiveMinimum) min += 1;
  if (schema.exclusiveMaximum) max -= 1;
  // A bound need not be whole (`maximum: 1.5` on an integer): integers within it.
  min = Math.max(Math.ceil(min), -(2 ** 31));
  max = Math.min(Math.floor(max), 2 ** 31 - 1);
  return fc.integer({ min, max: Math.max(min, max) });
}

/** arbitraryFor returns an arbitrary for values of one schema node. */
export function arbitraryFor(schema: Schema, depth = 0): fc.Arbitrary<JsonValue> {
  if (schema.enum !== undefined && schema.enum.length > 0) return fc.constantFrom(...schema.enum);
  if (schema['x-kubernetes-int-or-string']) {
    const str = schema.pattern !== undefined ? stringArb(schema) : fc.constantFrom('10%', '1', 'http');
    return fc.oneof(integerArb({ minimum: 1, maximum: 65535, ...schema }), str);
  }
  switch (schema.type) {
    case 'string':
      return stringArb(schema);
    case 'integer':
      return integerArb(schema);
    case 'number':
      return integerArb(schema);
    case 'boolean':
      return fc.boolean();
    case 'array':
      return arrayArb(schema, depth);
    case 'object':
      return objectArb(schema, depth);
    default:
      return fc.constant({});
  }
}

function listKey(schema: Schema): ((item: JsonValue) => string) | null {
  const type = schema['x-kubernetes-list-type'];
  if (type === 'set') return (item) => JSON.stringify(item);
  if (type === 'map') {
    const keys = schema['x-kubernetes-list-map-keys'] ?? [];
    return (item) => JSON.stringify(keys.map((k) => (item as JsonObject | null)?.[k] ?? null));
  }
  return null;
}

function arrayArb(schema: Schema, depth: number): fc.Arbitrary<JsonValue> {
  const items = schema.items ?? {};
  const minLength = schema.minItems ?? 0;
  const cap = depth >= MAX_DEPTH ? minLength : minLength + 2;
  const maxLength = Math.min(schema.maxItems ?? cap, cap);
  const item = arbitraryFor(items, depth + 1);
  const key = listKey(schema);
  if (key !== null) return fc.uniqueArray(item, { minLength, maxLength, selector: key }) as fc.Arbitrary<JsonValue>;
  return fc.array(item, { minLength, maxLength }) as fc.Arbitrary<JsonValue>;
}

function objectArb(schema: Schema, depth: number): fc.Arbitrary<JsonValue> {
  const props = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const names = Object.keys(props);
  if (names.length === 0) {
    if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
      const value = arbitraryFor(schema.additionalProperties, depth + 1);
      return fc.dictionary(SIMPLE_WORD, value, { maxKeys: depth >= MAX_DEPTH ? 0 : 2 }) as fc.Arbitrary<JsonValue>;
    }
    return fc.constant({});
  }
  // Deeper optional fields are rarer, so most objects stay small.
  const optionalWeight = depth >= MAX_DEPTH ? 0 : depth <= 1 ? 3 : depth <= 3 ? 2 : 1;
  const model: Record<string, fc.Arbitrary<JsonValue | undefined>> = {};
  for (const name of names) {
    const sub = props[name] as Schema;
    if (required.has(name)) model[name] = arbitraryFor(sub, depth + 1);
    else if (optionalWeight === 0) model[name] = fc.constant(undefined);
    else model[name] = fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: optionalWeight, arbitrary: arbitraryFor(sub, depth + 1) });
  }
  return fc.record(model).map((rec) => {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(rec)) if (v !== undefined) out[k] = v;
    return out;
  });
}
