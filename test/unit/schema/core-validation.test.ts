import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileValidator } from '../../../src/schema/compile-validator.js';
import { errorString } from '../../../src/kube/field-error.js';
import { Re2SyntaxError } from '../../../src/kube/re2.js';
import type { Schema } from '../../../src/schema/structural.js';
import type { JsonObject } from '../../../src/kube/types.js';

const schema: Schema = {
  type: 'object',
  required: ['spec'],
  properties: {
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      required: ['image'],
      properties: {
        image: { type: 'string', pattern: '^[a-z]+$', maxLength: 8, minLength: 2 },
        replicas: { type: 'integer', minimum: 0, maximum: 10 },
        ratio: { type: 'number', exclusiveMaximum: true, maximum: 1 },
        tier: { type: 'string', enum: ['a', 'b'] },
        url: { type: 'string', format: 'uri' },
        notes: { type: 'string', nullable: true },
        hooks: { type: 'array', maxItems: 2, items: { type: 'object', required: ['name'], properties: { name: { type: 'string', maxLength: 3 } } } },
        labels: { type: 'object', additionalProperties: { type: 'string', maxLength: 2 } },
      },
    },
  },
};

const validator = compileValidator(schema);
const messages = (spec: JsonObject, options = {}) => validator.validate({ apiVersion: 'x/v1', kind: 'X', metadata: { name: 'n' }, spec }, options).errors.map(errorString);

describe('schema validation wording', () => {
  it('accepts a valid object', () => {
    assert.deepEqual(messages({ image: 'nginx', replicas: 3, tier: 'a', notes: null }), []);
  });

  it('words a maximum as the apiserver does', () => {
    assert.deepEqual(messages({ image: 'nginx', replicas: 20 }), ['spec.replicas: Invalid value: 20: spec.replicas in body should be less than or equal to 10']);
  });

  it('words type, enum, pattern, required and format errors', () => {
    assert.deepEqual(messages({ replicas: 'three', tier: 'c', url: 'not a uri' }), [
      'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
      'spec.tier: Unsupported value: "c": supported values: "a", "b"',
      'spec.url: Invalid value: "not a uri": spec.url in body must be of type uri: "not a uri"',
      'spec.image: Required value',
    ]);
    assert.deepEqual(messages({ image: 'UPPER' }), ["spec.image: Invalid value: \"UPPER\": spec.image in body should match '^[a-z]+$'"]);
  });

  it('words lengths, exclusive bounds and item counts', () => {
    assert.deepEqual(messages({ image: 'abcdefghij', ratio: 1 }), [
      'spec.image: Too long: may not be more than 8 bytes',
      'spec.ratio: Invalid value: 1: spec.ratio in body should be less than 1',
    ]);
    assert.deepEqual(messages({ image: 'a' }), ['spec.image: Invalid value: "a": spec.image in body should be at least 2 chars long']);
    assert.deepEqual(messages({ image: 'ab', hooks: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] }), ['spec.hooks: Too many: 3: must have at most 2 items']);
  });

  it('names nested array and map paths like the apiserver', () => {
    assert.deepEqual(messages({ image: 'ab', hooks: [{ name: 'long' }, {}], labels: { app: 'long' } }), [
      'spec.hooks[0].name: Too long: may not be more than 3 bytes',
      'spec.hooks[1].name: Required value',
      'spec.labels.app: Too long: may not be more than 2 bytes',
    ]);
  });

  it('treats a null the apiserver drops (not nullable, no default) as absent', () => {
    assert.deepEqual(messages({ image: null }), ['spec.image: Required value']);
    assert.deepEqual(messages({ image: 'nginx', replicas: null }), []);
  });

  it('rejects null items where the items are not nullable', () => {
    const list = compileValidator({ type: 'object', properties: { xs: { type: 'array', items: { type: 'string' } } } });
    assert.deepEqual(list.validate({ xs: ['a', null] }).errors.map(errorString), ['xs[1]: Invalid value: "null": xs[1] in body must be of type string: "null"']);
  });

  it('reports a missing required root field', () => {
    assert.deepEqual(validator.validate({ apiVersion: 'x/v1', kind: 'X', metadata: {} }).errors.map(errorString), ['spec: Required value']);
  });

  it('bounds the number of errors and says so', () => {
    const big = compileValidator({ type: 'object', properties: { items: { type: 'array', items: { type: 'integer', maximum: 0 } } } });
    const result = big.validate({ items: Array.from({ length: 5000 }, () => 1) }, { maxErrors: 100 });
    assert.equal(result.errors.length, 100);
    assert.equal(result.truncated, true);
  });

  it('does not re-report values unchanged from oldObject (ratcheting)', () => {
    const old = { apiVersion: 'x/v1', kind: 'X', metadata: {}, spec: { image: 'BAD', replicas: 1 } };
    assert.deepEqual(validator.validate({ ...old, spec: { image: 'BAD', replicas: 2 } }, { oldObject: old }).errors, []);
    assert.equal(validator.validate({ ...old, spec: { image: 'BAD2', replicas: 2 } }, { oldObject: old }).errors.length, 1);
  });

  it('evaluates patterns in linear time (RE2), even catastrophic ones', () => {
    const evil = compileValidator({ type: 'object', properties: { s: { type: 'string', pattern: '^(a+)+$' } } });
    const started = process.hrtime.bigint();
    const result = evil.validate({ s: `${'a'.repeat(50_000)}!` });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.equal(result.errors.length, 1);
    assert.ok(ms < 2000, `took ${ms} ms`);
  });

  it('refuses at compile time patterns RE2 rejects', () => {
    assert.throws(() => compileValidator({ type: 'object', properties: { s: { type: 'string', pattern: '^(?=a)' } } }), Re2SyntaxError);
  });
});
