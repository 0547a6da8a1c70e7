import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CelRuleError } from '../../../src/schema/cel-rules.js';
import { compileValidator } from '../../../src/schema/compile-validator.js';
import { errorString, toStatusCause } from '../../../src/kube/field-error.js';
import { createKubernetesExtensions } from '../../../src/schema/kubernetes-extensions.js';
import type { Schema } from '../../../src/schema/structural.js';
import type { JsonObject } from '../../../src/kube/types.js';

const extensions = createKubernetesExtensions();
const compile = (schema: Schema) => compileValidator(schema, { extensions });
const spec = (properties: Record<string, Schema>, rules: Schema['x-kubernetes-validations'], extra: Partial<Schema> = {}): Schema => ({
  type: 'object',
  properties: { spec: { type: 'object', properties, 'x-kubernetes-validations': rules, ...extra } },
});
const messages = (schema: Schema, object: JsonObject, oldObject?: JsonObject) => compile(schema).validate(object, { oldObject }).errors.map(errorString);

describe('x-kubernetes-validations', () => {
  const minMax = spec({ min: { type: 'integer' }, max: { type: 'integer' } }, [{ rule: 'self.min <= self.max' }]);

  it('passes when the rule holds and words a failure with the rule (no value printed for objects)', () => {
    assert.deepEqual(messages(minMax, { spec: { min: 1, max: 2 } }), []);
    assert.deepEqual(messages(minMax, { spec: { min: 3, max: 2 } }), ['spec: Invalid value: failed rule: self.min <= self.max']);
  });

  it('uses message, messageExpression, reason and fieldPath', () => {
    const schema = spec({ min: { type: 'integer' }, max: { type: 'integer' } }, [
      { rule: 'self.min <= self.max', message: 'min must not exceed max ', fieldPath: '.min' },
      { rule: 'self.max < 10', messageExpression: "'max is ' + string(self.max)", reason: 'FieldValueForbidden' },
    ]);
    assert.deepEqual(messages(schema, { spec: { min: 30, max: 20 } }), ['spec.min: Invalid value: min must not exceed max', 'spec: Forbidden: max is 20']);
  });

  it('falls back to the message when messageExpression is empty or fails', () => {
    const schema = spec({ n: { type: 'integer' } }, [{ rule: 'self.n > 0', message: 'n must be positive', messageExpression: "''" }]);
    assert.deepEqual(messages(schema, { spec: { n: 0 } }), ['spec: Invalid value: n must be positive']);
  });

  it('prints scalar values and reports Required and Duplicate reasons', () => {
    const schema: Schema = {
      type: 'object',
      properties: {
        name: { type: 'string', 'x-kubernetes-validations': [{ rule: "self != 'bad'", message: 'not bad', reason: 'FieldValueRequired' }] },
        n: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self < 5', reason: 'FieldValueDuplicate' }] },
        s: { type: 'string', 'x-kubernetes-validations': [{ rule: "self.startsWith('a')" }] },
      },
    };
    assert.deepEqual(messages(schema, { name: 'bad', n: 7, s: 'b' }), [
      'name: Required value: not bad',
      'n: Duplicate value: 7',
      's: Invalid value: "b": failed rule: self.startsWith(\'a\')',
    ]);
  });

  it('words runtime errors as cel-go does', () => {
    const schema = spec({ a: { type: 'string' } }, [{ rule: "self.a == 'x'", message: 'a must be x' }]);
    assert.deepEqual(messages(schema, { spec: {} }), ['spec: Invalid value: "object": no such key: a evaluating rule: a must be x']);
  });

  it('reports the left error when both sides of || fail, as cel-go (Gateway TLS certificateRefs/options)', () => {
    const schema = spec({ a: { type: 'array', items: { type: 'string' } }, b: { type: 'array', items: { type: 'string' } } }, [{ rule: 'size(self.a) > 0 || size(self.b) > 0', message: 'a or b' }]);
    assert.deepEqual(messages(schema, { spec: {} }), ['spec: Invalid value: "object": no such key: a evaluating rule: a or b']);
  });

  it('types integer fields as int and number fields as double', () => {
    const schema = spec({ i: { type: 'integer' }, d: { type: 'number' } }, [{ rule: 'self.i == 2 && self.d == 2.0' }]);
    assert.deepEqual(messages(schema, { spec: { i: 2, d: 2 } }), []);
  });

  it('escapes property names as the apiserver does', () => {
    const schema = spec({ 'my-field': { type: 'string' }, namespace: { type: 'string' } }, [{ rule: "self.my__dash__field == 'x' && self.__namespace__ == 'y'" }]);
    assert.deepEqual(messages(schema, { spec: { 'my-field': 'x', namespace: 'y' } }), []);
  });

  it('lets root rules read apiVersion, kind and metadata.name', () => {
    const schema: Schema = { type: 'object', properties: { spec: { type: 'object' } }, 'x-kubernetes-validations': [{ rule: "self.metadata.name.startsWith('w-') && self.kind == 'W'" }] };
    assert.deepEqual(messages(schema, { apiVersion: 'x/v1', kind: 'W', metadata: { name: 'w-1' }, spec: {} }), []);
    assert.equal(messages(schema, { apiVersion: 'x/v1', kind: 'W', metadata: { name: 'v-1' }, spec: {} }).length, 1);
  });

  it('supports has() on any operand (Gateway API: has(self[0].matches))', () => {
    const schema: Schema = {
      type: 'object',
      properties: { rules: { type: 'array', items: { type: 'object', properties: { matches: { type: 'array', items: { type: 'string' } } } }, 'x-kubernetes-validations': [{ rule: '(self.size() > 0 ? (has(self[0].matches) ? self[0].matches.size() : 0) : 0) <= 1' }] } },
    };
    assert.deepEqual(messages(schema, { rules: [{}] }), []);
    assert.equal(messages(schema, { rules: [{ matches: ['a', 'b'] }] }).length, 1);
  });

  it('runs transition rules only on UPDATE with an old value', () => {
    const schema: Schema = { type: 'object', properties: { mode: { type: 'string', 'x-kubernetes-validations': [{ rule: "oldSelf != 'Manual' || self == 'Manual'", message: 'mode cannot leave Manual' }] } } };
    assert.deepEqual(messages(schema, { mode: 'Auto' }), []);
    assert.deepEqual(messages(schema, { mode: 'Auto' }, { mode: 'Manual' }), ['mode: Invalid value: "Auto": mode cannot leave Manual']);
    assert.deepEqual(messages(schema, { mode: 'Auto' }, { other: 1 } as JsonObject), []);
  });

  it('gives optionalOldSelf rules an optional oldSelf, also on CREATE', () => {
    const schema: Schema = { type: 'object', properties: { n: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'oldSelf.hasValue() || self < 10', optionalOldSelf: true }] } } };
    assert.deepEqual(messages(schema, { n: 20 }), ['n: Invalid value: 20: failed rule: oldSelf.hasValue() || self < 10']);
    assert.deepEqual(messages(schema, { n: 20 }, { n: 30 }), []);
  });

  it('compares oldSelf.value() in optionalOldSelf rules', () => {
    const schema: Schema = { type: 'object', properties: { n: { type: 'integer', 'x-kubernetes-validations': [{ rule: '!oldSelf.hasValue() || self >= oldSelf.value()', message: 'n may only grow', optionalOldSelf: true }] } } };
    assert.deepEqual(messages(schema, { n: 1 }), []);
    assert.deepEqual(messages(schema, { n: 5 }, { n: 3 }), []);
    assert.deepEqual(messages(schema, { n: 2 }, { n: 3 }), ['n: Invalid value: 2: n may only grow']);
  });

  it('correlates list-type map items with their old item by key for oldSelf and ratcheting', () => {
    const schema: Schema = {
      type: 'object',
      properties: {
        ports: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: { type: 'object', properties: { name: { type: 'string' }, port: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'port is immutable' }, { rule: 'self < 100' }] } } },
        },
      },
    };
    const old = { ports: [{ name: 'a', port: 1 }, { name: 'b', port: 200 }] };
    assert.deepEqual(messages(schema, { ports: [{ name: 'b', port: 200 }, { name: 'a', port: 1 }] }, old), []);
    assert.deepEqual(messages(schema, { ports: [{ name: 'b', port: 200 }, { name: 'a', port: 2 }] }, old), ['ports[1].port: Invalid value: 2: port is immutable']);
  });

  it('does not run after blocking schema errors and says so, as the apiserver does', () => {
    const schema = spec({ min: { type: 'integer' }, max: { type: 'integer' } }, [{ rule: 'self.min <= self.max' }], { required: ['min'] });
    const result = compile(schema).validate({ spec: { max: 2 } });
    assert.deepEqual(result.errors.map(errorString), [
      'spec.min: Required value',
      '<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
    ]);
    assert.equal(toStatusCause(result.errors[1] as (typeof result.errors)[number]).field, '<nil>');
  });

  it('still runs after non-blocking errors (Invalid)', () => {
    const schema = spec({ min: { type: 'integer', maximum: 5 }, max: { type: 'integer' } }, [{ rule: 'self.min <= self.max' }]);
    assert.deepEqual(messages(schema, { spec: { min: 9, max: 2 } }), ['spec.min: Invalid value: 9: spec.min in body should be less than or equal to 5', 'spec: Invalid value: failed rule: self.min <= self.max']);
  });

  it('does not re-report rule failures on values unchanged from oldObject (ratcheting)', () => {
    assert.deepEqual(messages(minMax, { spec: { min: 3, max: 2 } }, { spec: { min: 3, max: 2 } }), []);
  });

  it('refuses at load a rule that does not compile', () => {
    assert.throws(() => compile(spec({}, [{ rule: 'self.(' }])), CelRuleError);
  });

  it('offers the quantity and URL libraries', () => {
    const schema = spec({ mem: { type: 'string' }, url: { type: 'string' } }, [
      { rule: "quantity(self.mem).isLessThan(quantity('1Gi'))", message: 'too much memory' },
      { rule: "isURL(self.url) && url(self.url).getScheme() == 'https'", message: 'https only' },
    ]);
    assert.deepEqual(messages(schema, { spec: { mem: '512Mi', url: 'https://a.example/x' } }), []);
    assert.deepEqual(messages(schema, { spec: { mem: '2Gi', url: 'http://a.example/x' } }), ['spec: Invalid value: too much memory', 'spec: Invalid value: https only']);
  });
});
