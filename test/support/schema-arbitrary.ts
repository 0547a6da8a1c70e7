/**
 * The one schema arbitrary of the test suites, shared by the unit tests
 * (conversion property tests) and the end-to-end differential: values of a
 * CRD schema that satisfy the structural keywords (types, enums, patterns,
 * bounds, required fields, list-type uniqueness); CEL rules may still reject
 * them, which is as interesting. Optional fields appear with a probability
 * that falls with depth, so objects stay small. Plus realistic metadata and
 * unknown fields for whole objects.
 */
import fc from 'fast-check';
import type { JsonObject, JsonValue } from '../../src/kube/types.js';
import type { Schema } from '../../src/schema/structural.js';

/** Overrides replaces the arbitrary at a property path (dotted from the schema's root, `[]` for list items and map values, e.g. `spec.ports[]`). */
export type Overrides = Readonly<Record<string, fc.Arbitrary<JsonValue>>>;

/** ArbitraryOptions tunes arbitraryFor; with none, the differential's generator exactly. */
export interface ArbitraryOptions {
  /** overrides replaces the arbitrary of some paths (e.g. a field a converter parses). */
  overrides?: Overrides;
  /** omit leaves out these properties of the root object (e.g. apiVersion, kind, metadata when the caller sets them). */
  omit?: readonly string[];
}

interface Walk {
  readonly overrides: Overrides;
  readonly omit: readonly string[];
}

const child = (path: string, name: string): string => (path === '' ? name : `${path}.${name}`);

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

/** arbitraryFor returns an arbitrary for values of one schema node (the root of a walk). */
export function arbitraryFor(schema: Schema, options: ArbitraryOptions = {}): fc.Arbitrary<JsonValue> {
  return nodeArb(schema, 0, '', { overrides: options.overrides ?? {}, omit: options.omit ?? [] });
}

function nodeArb(schema: Schema, depth: number, path: string, walk: Walk): fc.Arbitrary<JsonValue> {
  const override = walk.overrides[path];
  if (override !== undefined) return override;
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
      return arrayArb(schema, depth, path, walk);
    case 'object':
      return objectArb(schema, depth, path, walk);
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

function arrayArb(schema: Schema, depth: number, path: string, walk: Walk): fc.Arbitrary<JsonValue> {
  const items = schema.items ?? {};
  const minLength = schema.minItems ?? 0;
  const cap = depth >= MAX_DEPTH ? minLength : minLength + 2;
  const maxLength = Math.min(schema.maxItems ?? cap, cap);
  const item = nodeArb(items, depth + 1, `${path}[]`, walk);
  const key = listKey(schema);
  if (key !== null) return fc.uniqueArray(item, { minLength, maxLength, selector: key }) as fc.Arbitrary<JsonValue>;
  return fc.array(item, { minLength, maxLength }) as fc.Arbitrary<JsonValue>;
}

function objectArb(schema: Schema, depth: number, path: string, walk: Walk): fc.Arbitrary<JsonValue> {
  const props = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const names = Object.keys(props).filter((name) => depth > 0 || !walk.omit.includes(name));
  if (names.length === 0) {
    if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
      const value = nodeArb(schema.additionalProperties, depth + 1, `${path}[]`, walk);
      return fc.dictionary(SIMPLE_WORD, value, { maxKeys: depth >= MAX_DEPTH ? 0 : 2 }) as fc.Arbitrary<JsonValue>;
    }
    return fc.constant({});
  }
  // Deeper optional fields are rarer, so most objects stay small.
  const optionalWeight = depth >= MAX_DEPTH ? 0 : depth <= 1 ? 3 : depth <= 3 ? 2 : 1;
  const model: Record<string, fc.Arbitrary<JsonValue | undefined>> = {};
  for (const name of names) {
    const sub = props[name] as Schema;
    const at = child(path, name);
    if (required.has(name)) model[name] = nodeArb(sub, depth + 1, at, walk);
    else if (optionalWeight === 0) model[name] = fc.constant(undefined);
    else model[name] = fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: optionalWeight, arbitrary: nodeArb(sub, depth + 1, at, walk) });
  }
  return fc.record(model).map((rec) => {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(rec)) if (v !== undefined) out[k] = v;
    return out;
  });
}

const key = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9]{0,8}$/);
const scalar: fc.Arbitrary<JsonValue> = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.boolean(), fc.constant(null));
/** jsonValue is any small JSON value (for unknown, preserved fields). */
export const jsonValue: fc.Arbitrary<JsonValue> = fc.letrec<{ value: JsonValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    scalar,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(key, tie('value'), { maxKeys: 3 }),
  ),
})).value;

const labelValue = fc.stringMatching(/^[a-z0-9]([a-z0-9.-]{0,10}[a-z0-9])?$/);
const labelKey = fc.stringMatching(/^([a-z0-9]{1,6}\.[a-z]{2,4}\/)?[a-z][a-z0-9-]{0,10}[a-z0-9]$/);

/** metadata is realistic stored metadata: name, namespace (or none), uid, resourceVersion, optional non-empty labels/annotations. */
export const metadata: fc.Arbitrary<JsonObject> = fc.record(
  {
    name: fc.stringMatching(/^[a-z][a-z0-9-]{0,14}[a-z0-9]$/),
    namespace: fc.stringMatching(/^[a-z][a-z0-9-]{0,8}[a-z0-9]$/),
    uid: fc.uuid(),
    resourceVersion: fc.integer({ min: 1, max: 1e6 }).map(String),
    generation: fc.integer({ min: 1, max: 50 }),
    creationTimestamp: fc.constant('2026-11-27T04:00:00Z'),
    labels: fc.dictionary(labelKey, labelValue, { minKeys: 1, maxKeys: 3 }),
    annotations: fc.dictionary(labelKey, fc.string({ maxLength: 20 }), { minKeys: 1, maxKeys: 3 }),
    finalizers: fc.array(fc.constant('example.com/cleanup'), { minLength: 1, maxLength: 1 }),
  },
  { requiredKeys: ['name', 'uid', 'resourceVersion', 'creationTimestamp'] },
) as fc.Arbitrary<JsonObject>;

/** withUnknownFields adds up to two top-level fields no schema knows (as a preserve-unknown-fields schema keeps). */
export function withUnknownFields(object: fc.Arbitrary<JsonValue>): fc.Arbitrary<JsonObject> {
  return fc
    .tuple(object, fc.dictionary(fc.stringMatching(/^x[A-Z][a-zA-Z]{0,6}$/), jsonValue, { maxKeys: 2 }))
    .map(([value, extra]) => ({ ...extra, ...(value as JsonObject) }));
}

/** objectBody is the arbitrary of a whole object's fields from its root schema: apiVersion, kind and metadata left out (customObject sets them). */
export function objectBody(schema: Schema, overrides: Overrides = {}): fc.Arbitrary<JsonValue> {
  return arbitraryFor(schema, { overrides, omit: ['apiVersion', 'kind', 'metadata'] });
}

/**
 * customObject builds a whole object of apiVersion/kind from a body
 * arbitrary, as plain JSON (fast-check records have null prototypes; a
 * decoded request body never does).
 */
export function customObject(apiVersion: string, kind: string, body: fc.Arbitrary<JsonObject>): fc.Arbitrary<JsonObject> {
  return fc.tuple(metadata, body).map(([meta, fields]) => JSON.parse(JSON.stringify({ apiVersion, kind, metadata: meta, ...fields })) as JsonObject);
}
