import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileValidator } from '../../../src/schema/compile-validator.js';
import { errorString } from '../../../src/kube/field-error.js';
import { listTypePass } from '../../../src/schema/list-type.js';
import type { Schema } from '../../../src/schema/structural.js';
import type { JsonObject } from '../../../src/kube/types.js';

const schema: Schema = {
  type: 'object',
  properties: {
    tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
    objs: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
    ports: {
      type: 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['port'],
      items: { type: 'object', properties: { port: { type: 'integer' }, name: { type: 'string' } } },
    },
    pairs: {
      type: 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['port', 'protocol'],
      items: { type: 'object', properties: { port: { type: 'integer' }, protocol: { type: 'string' } } },
    },
    byName: { type: 'object', additionalProperties: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } } },
  },
};
const validator = compileValidator(schema, { extensions: [listTypePass] });
const messages = (object: JsonObject, oldObject?: JsonObject) => validator.validate(object, { oldObject }).errors.map(errorString);

describe('x-kubernetes-list-type', () => {
  it('reports each repeated set item once, at its second occurrence', () => {
    assert.deepEqual(messages({ tags: ['a', 'b', 'a', 'a', 'b'] }), ['tags[2]: Duplicate value: "a"', 'tags[4]: Duplicate value: "b"']);
  });

  it('compares compound set items by their JSON', () => {
    assert.deepEqual(messages({ objs: [{ a: 1, b: 2 }, { b: 2, a: 1 }] }), ['objs[1]: Duplicate value: {"a":1,"b":2}']);
  });

  it('reports a repeated map key with the key as the value', () => {
    assert.deepEqual(messages({ ports: [{ port: 80, name: 'a' }, { port: 80, name: 'b' }] }), ['ports[1]: Duplicate value: {"port":80}']);
  });

  it('treats a missing key as one key of its own', () => {
    assert.deepEqual(messages({ ports: [{ name: 'a' }, { name: 'b' }] }), ['ports[1]: Duplicate value: {}']);
  });

  it('compares multi-key map items on every key', () => {
    assert.deepEqual(messages({ pairs: [{ port: 80, protocol: 'TCP' }, { port: 80, protocol: 'UDP' }] }), []);
    assert.deepEqual(messages({ pairs: [{ port: 80, protocol: 'TCP' }, { port: 80, protocol: 'TCP' }] }), ['pairs[1]: Duplicate value: {"port":80,"protocol":"TCP"}']);
  });

  it('requires map list items to be objects', () => {
    const loose = compileValidator({ type: 'object', properties: { m: { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['k'], type: 'array', items: { 'x-kubernetes-int-or-string': true } } } }, { extensions: [listTypePass] });
    assert.deepEqual(loose.validate({ m: [1] }).errors.map(errorString), ['m[0]: Invalid value: 1: must be an object for an array of list-type map']);
  });

  it('names map values with field.Path keys (`byName[x]`), as the apiserver does for these errors', () => {
    assert.deepEqual(messages({ byName: { x: ['a', 'a'] } }), ['byName[x][1]: Duplicate value: "a"']);
  });

  it('ratchets on UPDATE only when the old object already broke the invariant', () => {
    assert.deepEqual(messages({ tags: ['a', 'a', 'b'] }, { tags: ['a', 'a'] }), []);
    assert.deepEqual(messages({ tags: ['a', 'a', 'b'] }, { tags: ['a'] }), ['tags[1]: Duplicate value: "a"']);
  });
});
