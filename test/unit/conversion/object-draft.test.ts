import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { createDraft } from '../../../src/conversion/object-draft.js';
import { deepCopy, hasOwn, setOwn } from '../../../src/kube/safe-object.js';
import { isJsonObject } from '../../../src/kube/types.js';
import type { JsonObject, JsonValue } from '../../../src/kube/types.js';
import { jsonValue } from '../../support/schema-arbitrary.js';

/** The obvious in-place implementation the draft must agree with. */
function setInPlace(root: JsonObject, path: string[], value: JsonValue): void {
  let current = root;
  for (const key of path.slice(0, -1)) {
    const next = hasOwn(current, key) ? current[key] : undefined;
    if (isJsonObject(next)) current = next;
    else {
      const created: JsonObject = {};
      setOwn(current, key, created);
      current = created;
    }
  }
  setOwn(current, path[path.length - 1] as string, value);
}
function removeInPlace(root: JsonObject, path: string[]): void {
  let current: JsonValue = root;
  for (const key of path.slice(0, -1)) {
    if (!isJsonObject(current) || !hasOwn(current, key)) return;
    current = current[key] as JsonValue;
  }
  if (isJsonObject(current)) delete current[path[path.length - 1] as string];
}

const key = fc.constantFrom('a', 'b', 'c', '__proto__');
const path = fc.array(key, { minLength: 1, maxLength: 3 });
const op = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), path, value: jsonValue }),
  fc.record({ kind: fc.constant('remove' as const), path }),
);
const tree: fc.Arbitrary<JsonObject> = fc
  .letrec<{ node: JsonValue }>((tie) => ({ node: fc.oneof({ depthSize: 'small' }, fc.integer(), fc.dictionary(key, tie('node'), { maxKeys: 3 })) }))
  .node.map((n) => (isJsonObject(n) ? n : { a: n }))
  .map((o) => JSON.parse(JSON.stringify(o)) as JsonObject);

describe('ObjectDraft', () => {
  test('agrees with in-place edits and never modifies its base', () => {
    fc.assert(
      fc.property(tree, fc.array(op, { maxLength: 6 }), (base, ops) => {
        const before = deepCopy(base);
        const expected = deepCopy(base);
        const draft = createDraft(base);
        for (const o of ops) {
          const value = o.kind === 'set' ? (JSON.parse(JSON.stringify(o.value)) as JsonValue) : null;
          if (o.kind === 'set') {
            setInPlace(expected, o.path, deepCopy(value as JsonValue));
            draft.set(o.path, value as JsonValue);
          } else {
            removeInPlace(expected, o.path);
            draft.remove(o.path);
          }
        }
        assert.deepEqual(draft.result(), expected);
        assert.deepEqual(base, before, 'the base is untouched');
        assert.equal(({} as Record<string, unknown>)['a'], undefined, 'no prototype pollution');
      }),
      { numRuns: 500 },
    );
  });

  test('shares what it does not touch and returns the base when nothing changed', () => {
    const base: JsonObject = { spec: { a: 1 }, metadata: { name: 'x' } };
    assert.equal(createDraft(base).result(), base);
    const draft = createDraft(base);
    draft.remove(['spec', 'a']);
    const out = draft.result();
    assert.notEqual(out, base);
    assert.equal(out['metadata'], base['metadata']);
    assert.deepEqual(out, { spec: {}, metadata: { name: 'x' } });
  });
});
