/**
 * Test helper: fast-check arbitraries for objects of a CRD version, built
 * from its openAPIV3Schema, plus realistic metadata and unknown fields.
 */
import fc from 'fast-check';
import type { JsonObject, JsonValue } from '../../../src/kube/types.js';
import type { Schema } from '../../../src/schema/structural.js';

/** Overrides replaces the arbitrary of a property path (dotted, from the object root). */
export type Overrides = Readonly<Record<string, fc.Arbitrary<JsonValue>>>;

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

/** fromSchema returns an arbitrary of values valid for schema (types and properties; other constraints ignored). */
export function fromSchema(schema: Schema, overrides: Overrides = {}, path = ''): fc.Arbitrary<JsonValue> {
  const override = overrides[path];
  if (override) return override;
  switch (schema.type) {
    case 'string':
      return fc.string({ maxLength: 16 });
    case 'integer':
      return fc.integer({ min: -1000, max: 1000 });
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(schema.items ? fromSchema(schema.items as Schema, overrides, `${path}[]`) : jsonValue, { maxLength: 4 });
    default: {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const names = Object.keys(properties).filter((name) => !(path === '' && ['apiVersion', 'kind', 'metadata'].includes(name)));
      const model: Record<string, fc.Arbitrary<JsonValue>> = {};
      for (const name of names) model[name] = fromSchema(properties[name] as Schema, overrides, path === '' ? name : `${path}.${name}`);
      return fc.record(model, { requiredKeys: [] }) as fc.Arbitrary<JsonValue>;
    }
  }
}

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

/**
 * customObject builds a whole object of apiVersion/kind from a body
 * arbitrary, as plain JSON (fast-check records have null prototypes; a
 * decoded request body never does).
 */
export function customObject(apiVersion: string, kind: string, body: fc.Arbitrary<JsonObject>): fc.Arbitrary<JsonObject> {
  return fc.tuple(metadata, body).map(([meta, fields]) => JSON.parse(JSON.stringify({ apiVersion, kind, metadata: meta, ...fields })) as JsonObject);
}
