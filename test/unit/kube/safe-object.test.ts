import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deepCopy, deepEqual, setOwn } from '../../../src/kube/safe-object.js';
import type { JsonObject } from '../../../src/kube/types.js';

describe('safe-object', () => {
  it('setOwn stores __proto__ as data without changing the prototype', () => {
    const obj: JsonObject = {};
    setOwn(obj, '__proto__', { polluted: true });
    assert.equal(Object.getPrototypeOf(obj), Object.prototype);
    assert.deepEqual(Object.keys(obj), ['__proto__']);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  it('deepCopy keeps __proto__ and constructor keys from JSON as plain data', () => {
    const parsed = JSON.parse('{"__proto__":{"x":1},"constructor":{"prototype":{"y":2}}}') as JsonObject;
    const copy = deepCopy(parsed);
    assert.equal(Object.getPrototypeOf(copy), Object.prototype);
    assert.deepEqual(Object.keys(copy).sort(), ['__proto__', 'constructor']);
    assert.equal(({} as Record<string, unknown>)['x'], undefined);
    assert.ok(deepEqual(copy, parsed));
  });

  it('deepEqual ignores key order and tells arrays from objects', () => {
    assert.ok(deepEqual({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 }));
    assert.ok(!deepEqual({ a: [] }, { a: {} }));
    assert.ok(!deepEqual([1, 2], [2, 1]));
  });
});
