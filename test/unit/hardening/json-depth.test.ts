import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { exceedsJsonDepth } from '../../../src/server/json-depth.js';

const depthOf = (value: unknown): number => {
  if (value === null || typeof value !== 'object') return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + Math.max(0, ...children.map(depthOf));
};

const exceeds = (text: string, bound: number) => exceedsJsonDepth(Buffer.from(text), JSON.parse(text), bound);

describe('exceedsJsonDepth', () => {
  it('counts nesting of arrays and objects against the bound, inclusive', () => {
    assert.equal(exceeds(`${'['.repeat(1000)}${']'.repeat(1000)}`, 1000), false);
    assert.equal(exceeds(`${'['.repeat(1001)}${']'.repeat(1001)}`, 1000), true);
    assert.equal(exceeds(`${'{"a":'.repeat(1001)}1${'}'.repeat(1001)}`, 1000), true);
  });

  it('ignores brackets inside strings', () => {
    const text = JSON.stringify({ s: `${'['.repeat(5000)}"{{{"${'{'.repeat(5000)}`, t: ['"\\', '[['] });
    assert.equal(exceeds(text, 10), false);
    assert.equal(exceeds(`[{"a":"\\\\"},${'['.repeat(20)}${']'.repeat(20)}]`, 10), true);
  });

  it('does not count siblings: many shallow objects stay under the bound', () => {
    const text = JSON.stringify(Array.from({ length: 5000 }, (_, i) => ({ i, tags: [i] })));
    assert.equal(exceeds(text, 3), false);
    assert.equal(exceeds(text, 2), true);
  });

  it('agrees with the depth of any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 8 }), (value, bound) => {
        assert.equal(exceeds(JSON.stringify(value), bound), depthOf(value) > bound);
      }),
      { numRuns: 500 },
    );
  });

  it('checks 10^6 levels without overflowing the stack', () => {
    assert.equal(exceeds(`${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`, 1000), true);
  });
});
