/**
 * Ratcheting on UPDATE, with the regressions the UPDATE differential test
 * found against kube-apiserver v1.35.4.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileValidator } from '../../../src/schema/compile-validator.js';
import { errorString } from '../../../src/kube/field-error.js';
import { createKubernetesExtensions } from '../../../src/schema/kubernetes-extensions.js';
import { correlatedEqual } from '../../../src/schema/list-map-correlation.js';
import type { Schema } from '../../../src/schema/structural.js';
import type { JsonObject } from '../../../src/kube/types.js';

const ports: Schema = {
  type: 'array',
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': ['port'],
  items: { type: 'object', required: ['port'], properties: { port: { type: 'integer' }, name: { type: 'string', maxLength: 3 } } },
};
const schema: Schema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      'x-kubernetes-validations': [{ rule: 'self.min <= self.max', message: 'min must not exceed max' }],
      properties: {
        min: { type: 'integer' },
        max: { type: 'integer' },
        name: { type: 'string', maxLength: 3 },
        mode: { type: 'string', 'x-kubernetes-validations': [{ rule: "self == oldSelf || oldSelf != 'Manual'", message: 'mode cannot leave Manual' }] },
        ports,
      },
    },
  },
};
const BLOCKED = '<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation';
const validator = compileValidator(schema, { extensions: createKubernetesExtensions(), decode: true });
const messages = (spec: JsonObject, oldSpec: JsonObject) => validator.validate({ spec }, { oldObject: { spec: oldSpec } }).errors.map(errorString);

describe('ratcheting on UPDATE', () => {
  it('keeps an unchanged invalid value and reports a changed one', () => {
    assert.deepEqual(messages({ name: 'toolong', min: 1, max: 2 }, { name: 'toolong', min: 1, max: 1 }), []);
    assert.deepEqual(messages({ name: 'longer', min: 1, max: 2 }, { name: 'toolong', min: 1, max: 2 }), ['spec.name: Too long: may not be more than 3 bytes', BLOCKED]);
  });

  it('drops a failed rule on an unchanged value but reports it once the value changes', () => {
    assert.deepEqual(messages({ min: 5, max: 1, name: 'a' }, { min: 5, max: 1, name: 'a' }), []);
    assert.deepEqual(messages({ min: 5, max: 1, name: 'b' }, { min: 5, max: 1, name: 'a' }), ['spec: Invalid value: min must not exceed max']);
  });

  it('ignores fields the apiserver prunes when deciding what changed (differential: u-38)', () => {
    assert.deepEqual(messages({ min: 5, max: 1, zzUnknown: 'x' } as JsonObject, { min: 5, max: 1 }), []);
  });

  it('always reports rule evaluation errors, even on unchanged values (differential: u-1)', () => {
    assert.deepEqual(messages({ min: 1, max: 'x' } as JsonObject, { min: 1, max: 'x' } as JsonObject), [
      'spec: Invalid value: "object": invalid data, expected int, got string evaluating rule: min must not exceed max',
    ]);
    assert.deepEqual(messages({ mode: 12345, min: 1, max: 2 } as JsonObject, { mode: 12345, min: 1, max: 2 } as JsonObject), [
      'spec.mode: Invalid value: "string": invalid data, expected string, got int64 evaluating rule: mode cannot leave Manual',
    ]);
  });

  it('lets size() count a list holding an item of the wrong type (differential: u-17)', () => {
    const tags = compileValidator(
      { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-validations': [{ rule: 'self.tags.size() <= 4' }], properties: { tags: { type: 'array', items: { type: 'string' } }, n: { type: 'integer' } } } } },
      { extensions: createKubernetesExtensions() },
    );
    assert.deepEqual(tags.validate({ spec: { tags: ['a', 12345], n: 2 } }, { oldObject: { spec: { tags: ['a', 12345], n: 1 } } }).errors.map(errorString), []);
  });

  it('evaluates transition rules against the old value', () => {
    assert.deepEqual(messages({ mode: 'Auto', min: 1, max: 2 }, { mode: 'Manual', min: 1, max: 2 }), ['spec.mode: Invalid value: "Auto": mode cannot leave Manual']);
  });

  it('treats a map list with an item lacking its key as changed (differential: u-23)', () => {
    const spec = { min: 1, max: 2, ports: [{ port: 80 }, { name: 'x' }] };
    assert.deepEqual(messages(spec, structuredClone(spec)), ['spec.ports[1].port: Required value', BLOCKED]);
  });

  it('correlates map list items by key, so reordering changes nothing', () => {
    const old = { min: 1, max: 2, ports: [{ port: 80, name: 'long' }, { port: 81 }] };
    assert.deepEqual(messages({ min: 1, max: 2, ports: [{ port: 81 }, { port: 80, name: 'long' }] }, old), []);
    assert.equal(correlatedEqual(ports, [{ port: 81 }, { port: 80 }], [{ port: 80 }, { port: 81 }]), true);
    assert.equal(correlatedEqual({ type: 'array', items: { type: 'integer' } }, [2, 1], [1, 2]), false);
  });
});
