/**
 * Validation runs on the object the apiserver validates: pruned, with the
 * nulls it drops while decoding removed (PruneNonNullableNullsWithoutDefaults),
 * and ratcheting only where its correlation reaches.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileValidator } from '../../../src/schema/compile-validator.js';
import { compileDecodedView } from '../../../src/schema/decoded-view.js';
import { errorString } from '../../../src/kube/field-error.js';
import { createKubernetesExtensions } from '../../../src/schema/kubernetes-extensions.js';
import type { Schema } from '../../../src/schema/structural.js';
import type { JsonObject } from '../../../src/kube/types.js';

const spec: Schema = {
  type: 'object',
  minProperties: 1,
  properties: {
    a: { type: 'string' },
    b: { type: 'string', nullable: true },
    c: { type: 'string', default: 'x' },
    tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'object', properties: { k: { type: 'string' } } } },
    free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { n: { type: 'string' } }, 'x-kubernetes-validations': [{ rule: "!has(self.n) || self.n != 'bad'", message: 'n must not be bad' }] },
    pick: { type: 'object', oneOf: [{ required: ['x'] }, { required: ['y'] }], properties: { x: { type: 'string' }, y: { type: 'string' } } },
  },
  'x-kubernetes-validations': [{ rule: "!has(self.a) || self.a != 'never'", message: 'a must not be never' }],
};
const schema: Schema = { type: 'object', properties: { spec } };
const validator = compileValidator(schema, { extensions: createKubernetesExtensions(), decode: true });
const messages = (s: JsonObject, old?: JsonObject) => validator.validate({ spec: s }, { oldObject: old === undefined ? null : { spec: old } }).errors.map(errorString);

describe('the decoded view', () => {
  it('drops non-nullable nulls without a default, keeps nullable and defaulted ones, list items and schemaless nulls', () => {
    const view = compileDecodedView(schema);
    const input: JsonObject = { spec: { a: null, b: null, c: null, tags: [null], free: { m: null }, zz: 1 } };
    const copy = structuredClone(input);
    assert.deepEqual(view(input), { object: { spec: { b: null, c: null, tags: [null], free: { m: null } } }, unknownFields: ['spec.zz'] });
    assert.deepEqual(input, copy);
  });

  it('returns the object itself, not a copy, when decoding changes nothing', () => {
    const view = compileDecodedView(schema);
    const input: JsonObject = { spec: { a: 'x', b: null, tags: [null] } };
    assert.equal(view(input).object, input);
  });

  it('a dropped null does not count for minProperties or oneOf', () => {
    assert.deepEqual(messages({ a: null }), ['spec: Invalid value: 0: spec in body should have at least 1 properties']);
    assert.deepEqual(messages({ pick: { x: 'v', y: null } }), []);
  });

  it('an unknown field inside a list item is pruned before uniqueness is checked', () => {
    assert.deepEqual(messages({ tags: [{ k: 'a', extra: 1 }, { k: 'a', extra: 2 }] }), ['spec.tags[1]: Duplicate value: {"k":"a"}']);
  });
});

describe('ratcheting reaches only where the apiserver correlates', () => {
  it('an unknown field the apiserver prunes does not make a value changed', () => {
    assert.deepEqual(messages({ a: 'never', zz: 1 }, { a: 'never' }), []);
  });

  it('an object holding a key kept by x-kubernetes-preserve-unknown-fields never correlates, so its rules are not ratcheted', () => {
    assert.deepEqual(messages({ free: { n: 'bad', other: 1 } }, { free: { n: 'bad', other: 1 } }), ['spec.free: Invalid value: n must not be bad']);
    // Without such a key it correlates, and the unchanged failure ratchets.
    assert.deepEqual(messages({ free: { n: 'bad' } }, { free: { n: 'bad' } }), []);
  });
});
