import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileUnknownFieldFinder, unknownFieldWarning } from '../../../src/schema/pruning.js';
import type { Schema } from '../../../src/schema/structural.js';

const schema: Schema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        items: { type: 'array', items: { type: 'object', properties: { a: { type: 'string' } } } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { inner: { type: 'object', properties: { x: { type: 'string' } } } } },
      },
    },
  },
};
const find = compileUnknownFieldFinder(schema);

describe('unknown fields (what the apiserver prunes)', () => {
  it('lists undeclared fields with their paths, sorted, without touching the object', () => {
    const object = { apiVersion: 'x/v1', kind: 'X', metadata: { name: 'n' }, spec: { name: 'a', zz: 1, items: [{ a: 'x', b: 2 }] }, status: {} };
    const copy = structuredClone(object);
    assert.deepEqual(find(object), ['spec.items[0].b', 'spec.zz', 'status']);
    assert.deepEqual(object, copy);
  });

  it('keeps map keys, and fields under preserve-unknown-fields except inside declared properties', () => {
    assert.deepEqual(find({ spec: { labels: { any: 'x' }, free: { whatever: { deep: 1 }, inner: { x: 'a', y: 'b' } } } }), ['spec.free.inner.y']);
  });

  it('words the warning as kube-apiserver does with fieldValidation=Warn', () => {
    assert.equal(unknownFieldWarning('spec.zz'), 'unknown field "spec.zz"');
  });
});
