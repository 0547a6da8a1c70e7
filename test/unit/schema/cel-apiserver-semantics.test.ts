/**
 * The behaviours issue 13 lists, each through the schema validator with the
 * CEL engine: what the apiserver refuses at CRD creation (type checking
 * against the schema, estimated cost) and what it reports at validation
 * (overflow, typed formats, list-type-aware equality, Go's URL and quantity
 * parsing, conversion errors), in its words.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CelRuleError } from '../../../src/schema/cel-rules.js';
import { compileValidator } from '../../../src/schema/compile-validator.js';
import { errorString } from '../../../src/kube/field-error.js';
import { createKubernetesExtensions } from '../../../src/schema/kubernetes-extensions.js';
import type { Schema } from '../../../src/schema/structural.js';
import type { JsonObject } from '../../../src/kube/types.js';

const extensions = createKubernetesExtensions();
const spec = (properties: Record<string, Schema>, rules: string[]): Schema => ({
  type: 'object',
  properties: { spec: { type: 'object', properties, 'x-kubernetes-validations': rules.map((rule) => ({ rule })) } },
});
const errors = (schema: Schema, object: JsonObject, oldObject?: JsonObject) => compileValidator(schema, { extensions }).validate(object, { oldObject }).errors.map(errorString);
const refusal = (schema: Schema): string => {
  try {
    compileValidator(schema, { extensions });
  } catch (err) {
    assert.ok(err instanceof CelRuleError, String(err));
    return err.message;
  }
  assert.fail('the schema loaded');
};
const str = (extra: Partial<Schema> = {}): Schema => ({ type: 'string', maxLength: 64, ...extra });

describe('CRD rules refused at load, in the apiserver words', () => {
  it('type-checks against the schema: size() of an integer', () => {
    assert.match(refusal(spec({ n: { type: 'integer' } }, ['size(self.n) > 0'])), /^properties\[spec\]\.x-kubernetes-validations\[0\]\.rule: Invalid value: .*compilation failed: ERROR: <input>:1:5: found no matching overload for 'size' applied to '\(int\)'/);
  });

  it('refuses a rule that is not a bool', () => {
    assert.match(refusal(spec({ n: { type: 'integer' } }, ['self.n + 1'])), /rule: Invalid value: .*: cel expression must evaluate to a bool$/);
  });

  it('refuses a duration constant that does not parse', () => {
    assert.match(refusal(spec({ d: str() }, ["duration('1d') > duration('1h')"])), /compilation failed: ERROR: <input>:1:10: invalid duration argument\n \| duration\('1d'\) > duration\('1h'\)\n \| \.{9}\^$/);
  });

  it('refuses comparing an optional oldSelf with a value', () => {
    const schema: Schema = { type: 'object', properties: { spec: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self >= oldSelf', optionalOldSelf: true }] } } };
    assert.match(refusal(schema), /found no matching overload for '_>=_' applied to '\(int, optional_type\(int\)\)'/);
  });

  it('refuses a rule whose estimated cost exceeds the per-call budget', () => {
    const schema: Schema = { type: 'object', properties: { spec: { type: 'array', items: { type: 'integer' }, 'x-kubernetes-validations': [{ rule: 'self.all(x, self.all(y, true))' }] } } };
    assert.match(refusal(schema), /^properties\[spec\]\.x-kubernetes-validations\[0\]\.rule: Forbidden: estimated rule cost exceeds budget by factor of more than 100x \(try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared\)/);
  });

  it('loads the same rule once the list is bounded', () => {
    const schema: Schema = { type: 'object', properties: { spec: { type: 'array', maxItems: 10, items: { type: 'integer' }, 'x-kubernetes-validations': [{ rule: 'self.all(x, self.all(y, true))' }] } } };
    assert.deepEqual(errors(schema, { spec: [1, 2] }), []);
  });

  it('compiles a string literal with an emoji', () => {
    assert.deepEqual(errors(spec({ s: str() }, ["self.s != '🚀'"]), { spec: { s: 'x' } }), []);
  });
});

describe('CRD rule values and errors as the apiserver has them', () => {
  it('reports int64 overflow', () => {
    assert.deepEqual(errors(spec({ n: { type: 'integer' } }, ['self.n * 4611686018427387904 > 0']), { spec: { n: 4 } }), ['spec: Invalid value: "object": integer overflow evaluating rule: self.n * 4611686018427387904 > 0']);
  });

  it('types format: duration and date-time fields', () => {
    const schema = spec({ d: str({ format: 'duration' }), t: str({ format: 'date-time' }) }, ["self.d > duration('1m')", 'self.t.getHours() == 10']);
    assert.deepEqual(errors(schema, { spec: { d: '90s', t: '2024-01-02T10:00:00Z' } }), []);
  });

  it('compares set lists regardless of order and map lists by key (reordered old items are equal)', () => {
    const schema: Schema = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          'x-kubernetes-validations': [{ rule: 'self.a == self.b' }, { rule: 'self.m1 == oldSelf.m1' }],
          properties: {
            a: { type: 'array', maxItems: 4, 'x-kubernetes-list-type': 'set', items: str() },
            b: { type: 'array', maxItems: 4, 'x-kubernetes-list-type': 'set', items: str() },
            m1: { type: 'array', maxItems: 4, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['k'], items: { type: 'object', required: ['k'], properties: { k: str(), v: str() } } },
          },
        },
      },
    };
    const m = [{ k: 'x', v: '1' }, { k: 'y', v: '2' }];
    assert.deepEqual(errors(schema, { spec: { a: ['p', 'q'], b: ['q', 'p'], m1: m } }, { spec: { a: ['p', 'q'], b: ['q', 'p'], m1: [...m].reverse() } }), []);
    assert.deepEqual(errors(schema, { spec: { a: ['p', 'q'], b: ['q', 'p'], m1: m } }, { spec: { a: ['p', 'q'], b: ['q', 'p'], m1: [{ k: 'x', v: '9' }, { k: 'y', v: '2' }] } }), ['spec: Invalid value: failed rule: self.m1 == oldSelf.m1']);
  });

  it('parses URLs as Go does (user info accepted) and words a bad one as Go', () => {
    const schema = spec({ u: str() }, ["url(self.u).getHost() == 'example.com'"]);
    assert.deepEqual(errors(schema, { spec: { u: 'https://user:pw@example.com/x' } }), []);
    assert.deepEqual(errors(schema, { spec: { u: '' } }), ['spec: Invalid value: "object": URL parse error during conversion from string: parse "": empty url evaluating rule: url(self.u).getHost() == \'example.com\'']);
  });

  it('words conversion errors as cel-go', () => {
    assert.deepEqual(errors(spec({ s: str() }, ['int(self.s) > 0']), { spec: { s: '' } }), ['spec: Invalid value: "object": type conversion error from \'string\' to \'int\' evaluating rule: int(self.s) > 0']);
    assert.deepEqual(errors(spec({ s: str() }, ["duration(self.s) > duration('0s')"]), { spec: { s: 's' } }), [
      'spec: Invalid value: "object": type conversion error from \'string\' to \'google.protobuf.Duration\' evaluating rule: duration(self.s) > duration(\'0s\')',
    ]);
  });

  it('sums lists of durations and words max() of an empty list', () => {
    const schema = spec({ ds: { type: 'array', maxItems: 4, items: str({ format: 'duration' }) }, ns: { type: 'array', maxItems: 4, items: { type: 'integer' } } }, ["self.ds.sum() == duration('3m')", 'self.ns.max() > 0']);
    assert.deepEqual(errors(schema, { spec: { ds: ['1m', '2m'], ns: [] } }), ['spec: Invalid value: "object": max called on empty list evaluating rule: self.ns.max() > 0']);
  });

  it('offers the quantity, ip/cidr, semver, sets, optional and two-variable comprehension libraries', () => {
    const rules = [
      "quantity(self.q).add(quantity('1')).isGreaterThan(quantity('1'))",
      "quantity(self.q).compareTo(quantity('1Gi')) < 0",
      "ip(self.ip).family() == 4 && cidr('10.0.0.0/8').containsIP(ip(self.ip))",
      "semver(self.v).isGreaterThan(semver('1.0.0'))",
      'sets.contains([1, 2, 3], [1, 2])',
      "self.?missing.orValue('none') == 'none'",
      'self.ns.all(i, v, v > i)',
      "[3, 1, 2].sortBy(x, x) == [1, 2, 3] && [[1], [2]].flatten() == [1, 2] && lists.range(3) == [0, 1, 2] && [1, 1, 2].distinct() == [1, 2] && [1, 2, 3].slice(1, 2) == [2]",
      "format.dns1123Label().validate('Not_ok').hasValue()",
    ];
    const schema = spec({ q: str(), ip: str(), v: str(), ns: { type: 'array', maxItems: 4, items: { type: 'integer' } }, missing: str() }, rules);
    assert.deepEqual(errors(schema, { spec: { q: '500Mi', ip: '10.1.2.3', v: '1.2.3', ns: [1, 2, 3] } }), []);
  });
});
