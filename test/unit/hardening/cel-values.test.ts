import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyStats, toCelValue } from '../../../src/cel/values.js';
import type { JsonObject } from '../../../src/kube/types.js';

describe('toCelValue on big objects', () => {
  it('shares string-only maps and lists instead of copying them, and never changes its input', () => {
    const labels = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, 'v']));
    const input: JsonObject = { metadata: { labels }, spec: { replicas: 3, tags: ['a', 'b'], ratio: 0.5 } };
    const before = JSON.stringify(input);
    const out = toCelValue(input) as any;
    assert.equal(out.metadata.labels, labels);
    assert.equal(out.spec.tags, (input['spec'] as JsonObject)['tags']);
    assert.equal(out.spec.replicas, 3n);
    assert.equal(out.spec.ratio, 0.5);
    assert.notEqual(out, input);
    assert.equal(JSON.stringify(input), before);
  });

  it('copies a list from the first item that converts, keeping the items before it', () => {
    const out = toCelValue(['a', null, 2, 'b']) as unknown[];
    assert.deepEqual(out, ['a', null, 2n, 'b']);
  });

  it('keeps __proto__ keys as plain data in copied maps and still counts sizes', () => {
    const input = JSON.parse('{"a":"x","__proto__":{"n":1},"list":["s","tt"]}') as JsonObject;
    const stats = emptyStats();
    const out = toCelValue(input, stats) as Record<string, any>;
    assert.ok(Object.prototype.hasOwnProperty.call(out, '__proto__'));
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.equal(out['__proto__'].n, 1n);
    assert.equal(stats.maxListLength, 3);
    assert.equal(stats.maxStringLength, 2);
  });
});
