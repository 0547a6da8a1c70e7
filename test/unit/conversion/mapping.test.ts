import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createCelExpressionEngine } from '../../../src/conversion/cel-expressions.js';
import { ConversionError } from '../../../src/conversion/conversion-error.js';
import type { ExpressionEngine } from '../../../src/conversion/expressions.js';
import { compileRule, createMapping } from '../../../src/conversion/mapping.js';
import type { JsonObject, JsonValue } from '../../../src/kube/types.js';

const cel = createCelExpressionEngine();
const mapping = (rules: JsonValue[], engine: ExpressionEngine = cel) => createMapping(rules.map((r) => compileRule(r, engine)), engine);

describe('declarative mapping rules', () => {
  test('move renames a field, creating parents, and leaves every other field as it was', () => {
    const map = mapping([{ move: 'spec.schedule', to: 'spec.timing.cron' }]);
    const source: JsonObject = { spec: { schedule: '* * * * *', image: 'x' }, xUnknown: { a: [1] } };
    assert.deepEqual(map(source), { spec: { image: 'x', timing: { cron: '* * * * *' } }, xUnknown: { a: [1] } });
    assert.deepEqual(source, { spec: { schedule: '* * * * *', image: 'x' }, xUnknown: { a: [1] } }, 'the source is not modified');
    assert.deepEqual(map({ spec: {} }), { spec: {} }, 'a missing field moves nowhere');
  });

  test('set puts a constant, and when decides per object', () => {
    const map = mapping([{ set: 'spec.tier', value: 'batch', when: '!has(object.spec.tier)' }]);
    assert.deepEqual(map({ spec: {} }), { spec: { tier: 'batch' } });
    assert.deepEqual(map({ spec: { tier: 'web' } }), { spec: { tier: 'web' } });
  });

  test('set with a CEL expression computes from the source object; ints stay ints; null leaves the field unset', () => {
    const map = mapping([
      { set: 'spec.total', expression: 'object.spec.replicas * 2' },
      { set: 'spec.name', expression: "has(object.spec.name) ? object.spec.name : null" },
      { remove: 'spec.replicas' },
    ]);
    assert.deepEqual(map({ spec: { replicas: 3 } }), { spec: { total: 6 } });
    assert.deepEqual(map({ spec: { replicas: 1, name: 'n' } }), { spec: { total: 2, name: 'n' } });
  });

  test('expressions read the source object, so later rules see the original values', () => {
    const map = mapping([{ remove: 'a' }, { set: 'b', expression: 'object.a' }]);
    assert.deepEqual(map({ a: 'kept' }), { b: 'kept' });
  });

  test('require fails with the field and message; a failing expression names the field', () => {
    const map = mapping([{ require: "object.port.matches('^[0-9]+$')", field: 'port', message: 'must be a port number' }]);
    assert.deepEqual(map({ port: '80' }), { port: '80' });
    assert.throws(() => map({ port: 'http' }), (err: unknown) => err instanceof ConversionError && err.field === 'port' && err.message === 'port: must be a port number');
    const computed = mapping([{ set: 'hostPort', expression: "object.host + ':' + object.port" }]);
    assert.throws(() => computed({ host: 'h' }), (err: unknown) => err instanceof ConversionError && err.field === 'hostPort' && /No such key: port/.test(err.message));
  });

  test('the expression engine is pluggable', () => {
    const upper: ExpressionEngine = {
      compile: (source) => ({ source, evaluate: (scope) => String(scope.object[source]).toUpperCase() }),
      scope: (object) => ({ object }),
    };
    assert.deepEqual(mapping([{ set: 'b', expression: 'a' }], upper)({ a: 'x' }), { a: 'x', b: 'X' });
  });

  test('paths use the shared syntax: a quoted key holds dots and slashes', () => {
    assert.deepEqual(mapping([{ move: 'spec["a.b/c"]', to: 'spec.d' }])({ spec: { 'a.b/c': 1 } }), { spec: { d: 1 } });
  });

  const invalid: Array<[JsonValue, RegExp]> = [
    ['move', /^must be an object$/],
    [{ to: 'a' }, /^must have exactly one of move, set, remove, require \(found none\)$/],
    [{ move: 'a', remove: 'b' }, /found move, remove/],
    [{ move: 'a' }, /^to: must be a field path string$/],
    [{ remove: 'metadata.name' }, /^remove: metadata is managed by the converter and the apiserver/],
    [{ remove: 'spec.__proto__' }, /^remove: segment "__proto__" is not allowed$/],
    [{ remove: 'spec..x' }, /^remove: segment "" of "spec..x" must be an identifier$/],
    [{ remove: 'spec.items[0]' }, /^remove: "spec.items\[0\]": conversion rules name object fields, not list items \(\[0\]\)$/],
    [{ set: 'a' }, /exactly one of value \(a constant\) or expression \(CEL\)/],
    [{ set: 'a', value: 1, expression: '1' }, /exactly one of value/],
    [{ set: 'a', expression: 'object.' }, /^expression: compiling CEL expression: /],
    [{ remove: 'a', when: '1 + 1' }, /^when: compiling CEL expression: expression must evaluate to bool, not int/],
    [{ require: 'true', field: 'a' }, /^message: must say what is wrong$/],
    [{ remove: 'a', extra: 1 }, /^extra: not allowed in a remove rule$/],
  ];
  for (const [raw, message] of invalid) {
    test(`rejects the rule ${JSON.stringify(raw)} with a message naming the key`, () => {
      assert.throws(() => compileRule(raw, cel), { message });
    });
  }
});

describe('what rules read', () => {
  test('a CEL expression lists the fields of object it reads: select chains, string indexes, a bare object as everything', () => {
    assert.deepEqual(cel.compile("has(object.spec.a) && object['b'].c == 1 && object.list[0].x == 2").reads, [['spec', 'a'], ['b', 'c'], ['list'], ['list']]);
    assert.deepEqual(cel.compile('object.items.all(i, i.x > 0)').reads, [['items']]);
    assert.deepEqual(cel.compile("object.m[object.k] == 'v'").reads, [['m'], ['m'], ['k']]);
    assert.deepEqual(cel.compile('size(object) > 2').reads, [[]]);
  });

  test('a field converts alike whether the engine sees the whole object or only what the rules read', () => {
    const map = mapping([
      { set: 'port', when: 'has(object.hostPort)', expression: "object.hostPort.substring(object.hostPort.lastIndexOf(':') + 1)" },
      { set: 'count', expression: 'size(object.metadata.labels)' },
    ]);
    const source: JsonObject = { hostPort: 'h:80', metadata: { labels: { a: 'b' }, managedFields: [{ manager: 'm' }] }, spec: { big: 'x'.repeat(1000) } };
    assert.deepEqual(map(source), { ...source, port: '80', count: 1 });
  });
});

test('a CEL error in a rule names the field and the function as written (matches), never an internal name', () => {
  const map = mapping([{ set: 'ok', expression: "object.hostPort.matches(':[0-9]+$')" }]);
  assert.throws(() => map({ hostPort: 8080 }), (err: unknown) => {
    assert.ok(err instanceof ConversionError);
    assert.equal(err.field, 'ok');
    assert.match(err.message, /^ok: .*'int\.matches\(string\)'/);
    assert.doesNotMatch(err.message, /pcl/i);
    return true;
  });
});
