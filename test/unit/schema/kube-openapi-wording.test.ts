/**
 * Regression tests for disagreements the differential test found between
 * Portcullis and kube-apiserver v1.35.4 (test/e2e/differential.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileValidator } from '../../../src/schema/compile-validator.js';
import { errorString } from '../../../src/kube/field-error.js';
import type { Schema } from '../../../src/schema/structural.js';
import type { JsonValue } from '../../../src/kube/types.js';

function errors(schema: Schema, value: JsonValue): string[] {
  return compileValidator({ type: 'object', properties: { spec: schema } }).validate({ spec: value }).errors.map(errorString);
}

describe('kube-openapi wording found by the differential test', () => {
  it('reports a failed oneOf as a composite error with no field, plus the best branch errors (Gateway addresses)', () => {
    const address: Schema = {
      type: 'object',
      oneOf: [
        { properties: { type: { enum: ['IPAddress'] }, value: { anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }] } } },
        { properties: { type: { not: { enum: ['IPAddress'] } } } },
      ],
      properties: { type: { type: 'string' }, value: { type: 'string' } },
    };
    assert.deepEqual(errors(address, { type: 'IPAddress', value: 'bs910nh9' }), [
      '<nil>: Invalid value: "": "spec" must validate one and only one schema (oneOf). Found none valid',
      '<nil>: Invalid value: "": "spec.value" must validate at least one schema (anyOf)',
      'spec.value: Invalid value: "bs910nh9": spec.value in body must be of type ipv4: "bs910nh9"',
    ]);
    assert.deepEqual(errors(address, { type: 'IPAddress', value: '10.0.0.1' }), []);
  });

  it('reports allOf and not failures as composite errors', () => {
    assert.deepEqual(errors({ type: 'string', allOf: [{ maxLength: 2 }] }, 'abc'), [
      'spec: Too long: may not be more than 2 bytes',
      '<nil>: Invalid value: "": "spec" must validate all the schemas (allOf). None validated',
    ]);
    assert.deepEqual(errors({ type: 'string', not: { enum: ['x'] } }, 'x'), ['<nil>: Invalid value: "": "spec" must not validate the schema (not)']);
  });

  it('still checks enum after a type error (cert-manager usages)', () => {
    assert.deepEqual(errors({ type: 'string', enum: ['signing', 'any'] }, 12345), [
      'spec: Invalid value: "integer": spec in body must be of type string: "integer"',
      'spec: Unsupported value: 12345: supported values: "signing", "any"',
    ]);
  });

  it('stops string checks at the first failing keyword: maxLength hides pattern (GatewayClass controllerName)', () => {
    assert.deepEqual(errors({ type: 'string', maxLength: 3, pattern: '/' }, 'aaaa'), ['spec: Too long: may not be more than 3 bytes']);
    assert.deepEqual(errors({ type: 'string', minLength: 5, pattern: '/' }, 'aaaa'), ['spec: Invalid value: "aaaa": spec in body should be at least 5 chars long']);
  });

  it('words a type error against a supported format with the Go format of the value (cert-manager caBundle)', () => {
    assert.deepEqual(errors({ type: 'string', format: 'byte' }, 12), ['spec: Invalid value: "int64": spec in body must be of type byte: "int64"']);
    assert.deepEqual(errors({ type: 'string', format: 'date-time' }, 1.5), ['spec: Invalid value: "float64": spec in body must be of type date-time: "float64"']);
    assert.deepEqual(errors({ type: 'string', format: 'byte' }, true), ['spec: Invalid value: "": spec in body must be of type byte: ""']);
  });

  it('ignores formats the apiserver strips (int32, int64, unknown ones)', () => {
    assert.deepEqual(errors({ type: 'integer', format: 'int32' }, 'x'), ['spec: Invalid value: "string": spec in body must be of type integer: "string"']);
    assert.deepEqual(errors({ type: 'string', format: 'made-up' }, 'anything'), []);
  });

  it('reports the size, not the list, for minItems and minProperties (Gateway listeners)', () => {
    assert.deepEqual(errors({ type: 'array', minItems: 1, items: { type: 'string' } }, []), ['spec: Invalid value: 0: spec in body should have at least 1 items']);
    assert.deepEqual(errors({ type: 'object', minProperties: 2, additionalProperties: { type: 'string' } }, { a: 'x' }), [
      'spec: Invalid value: 1: spec in body should have at least 2 properties',
    ]);
  });

  it('checks the new supported formats (k8s-short-name, isbn)', () => {
    assert.deepEqual(errors({ type: 'string', format: 'k8s-short-name' }, 'Not-Valid'), ['spec: Invalid value: "Not-Valid": spec in body must be of type k8s-short-name: "Not-Valid"']);
    assert.deepEqual(errors({ type: 'string', format: 'isbn' }, '978-0321751041'), []);
  });
});
