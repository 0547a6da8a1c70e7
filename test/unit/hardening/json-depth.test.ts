import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { exceedsJsonDepth } from '../../../src/server/json-depth.js';

const depthOf = (value: unknown): number => {
  if (value === null || typeof value !== 'object') return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + Math.max(0, ...children.map(depthOf));
};

describe('exceedsJsonDepth', () => {
  it('counts nesting of arrays and objects against the bound, inclusive', () => {
    assert.equal(exceedsJsonDepth(Buffer.from(`${'['.repeat(1000)}${']'.repeat(1000)}`), 1000), false);
    assert.equal(exceedsJsonDepth(Buffer.from(`${'['.repeat(1001)}${']'.repeat(1001)}`), 1000), true);
    assert.equal(exceedsJsonDepth(Buffer.from(`${'{"a":'.repeat(1001)}1${'}'.repeat(1001)}`), 1000), true);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify({ s: `${'['.repeat(5000)}\\"{{{"${'{'.repeat(5000)}`, t: ['"\\\\', '[['] });
    assert.equal(exceedsJsonDepth(Buffer.from(text), 10), false);
    assert.equal(exceedsJsonDepth(Buffer.from(`{"a":"\\\\"}${'['.repeat(20)}`), 10), true);
  });

  it('does not count siblings: many shallow objects stay under the bound', () => {
    const text = JSON.stringify(Array.from({ length: 5000 }, (_, i) => ({ i, tags: [i] })));
    assert.equal(exceedsJsonDepth(Buffer.from(text), 3), false);
    assert.equal(exceedsJsonDepth(Buffer.from(text), 2), true);
  });

  it('agrees with the depth of any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 8 }), (value, bound) => {
        assert.equal(exceedsJsonDepth(Buffer.from(JSON.stringify(value)), bound), depthOf(value) > bound);
      }),
      { numRuns: 500 },
    );
  });

  it('leaves malformed text to JSON.parse instead of throwing', () => {
    for (const text of ['"unterminated', '{"a":[', ']]]]', '']) assert.equal(exceedsJsonDepth(Buffer.from(text), 1000), false);
  });
});
