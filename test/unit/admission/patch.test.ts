import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import jsonPatch from 'fast-json-patch';
import fc from 'fast-check';
import { createMinimalPatch } from '../../../src/admission/patch.js';
import { escapePointer } from '../../../src/kube/object-path.js';
import type { JsonValue } from '../../../src/kube/types.js';

describe('createMinimalPatch', () => {
  it('returns no ops for equal objects', () => {
    assert.deepEqual(createMinimalPatch({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 }), []);
  });

  it('adds only the keys that appeared, leaving unknown fields alone', () => {
    const original = { spec: { image: 'x', unknownField: { keep: true } } };
    const modified = { spec: { image: 'x', unknownField: { keep: true }, replicas: 1 } };
    assert.deepEqual(createMinimalPatch(original, modified), [{ op: 'add', path: '/spec/replicas', value: 1 }]);
  });

  it('replaces a null with its default rather than re-adding the parent', () => {
    assert.deepEqual(createMinimalPatch({ spec: { tier: null } }, { spec: { tier: 'backend' } }), [{ op: 'replace', path: '/spec/tier', value: 'backend' }]);
  });

  it('recurses into array items of equal length', () => {
    const ops = createMinimalPatch({ hooks: [{ name: 'a' }, { name: 'b' }] }, { hooks: [{ name: 'a', t: 5 }, { name: 'b', t: 5 }] });
    assert.deepEqual(ops, [
      { op: 'add', path: '/hooks/0/t', value: 5 },
      { op: 'add', path: '/hooks/1/t', value: 5 },
    ]);
  });

  it('removes the first of 500 items with few ops, not one per item', () => {
    const items = Array.from({ length: 500 }, (_, i) => i);
    const ops = createMinimalPatch({ items }, { items: items.slice(1) });
    // common-prefix diff: replaces shift by one, but never more ops than items and never a remove+add pair per item
    assert.ok(ops.length <= 500, `got ${ops.length} ops`);
    const result = jsonPatch.applyPatch({ items: [...items] }, ops, true, false).newDocument;
    assert.deepEqual(result, { items: items.slice(1) });
  });

  it('escapes ~ and / in keys as JSON Pointer requires', () => {
    assert.equal(escapePointer('a/b~c'), 'a~1b~0c');
    const ops = createMinimalPatch({ metadata: { labels: {} } }, { metadata: { labels: { 'app.kubernetes.io/name': 'x' } } });
    assert.deepEqual(ops, [{ op: 'add', path: '/metadata/labels/app.kubernetes.io~1name', value: 'x' }]);
  });

  it('turns any original into any modified JSON (property)', () => {
    const json = fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<JsonValue>;
    const container = fc.dictionary(fc.string({ maxLength: 4 }), json, { maxKeys: 5 });
    fc.assert(
      fc.property(container, container, (a, b) => {
        const ops = createMinimalPatch(a as JsonValue, b as JsonValue);
        const result = jsonPatch.applyPatch(structuredClone(a), ops, true, false).newDocument;
        assert.deepEqual(JSON.parse(JSON.stringify(result)), JSON.parse(JSON.stringify(b)));
      }),
      { numRuns: 300 },
    );
  });
});
