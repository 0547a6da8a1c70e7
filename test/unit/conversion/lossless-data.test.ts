import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { CONVERSION_DATA_ANNOTATION, MAX_ANNOTATIONS_BYTES, MAX_CONVERSION_DATA_BYTES, putConversionData, takeConversionData } from '../../../src/conversion/conversion-data.js';
import { ConversionError } from '../../../src/conversion/conversion-error.js';
import { applyRestorePatch, diffObjects } from '../../../src/conversion/json-diff.js';
import { fromPointer, toPointer } from '../../../src/kube/object-path.js';
import { deepCopy, deepEqual } from '../../../src/kube/safe-object.js';
import type { JsonObject } from '../../../src/kube/types.js';
import { jsonValue } from '../../support/schema-arbitrary.js';

const jsonObject = fc.dictionary(fc.string({ maxLength: 6 }), jsonValue, { maxKeys: 5 }).map((o) => JSON.parse(JSON.stringify(o)) as JsonObject);

describe('diffObjects and applyRestorePatch', () => {
  test('applying the diff of two objects to the second gives the first, for any JSON objects, leaving the second alone', () => {
    fc.assert(
      fc.property(jsonObject, jsonObject, (to, from) => {
        const patch = diffObjects(to, from);
        const before = deepCopy(from);
        const target = patch ? applyRestorePatch(from, patch) : from;
        assert.deepEqual(target, to);
        assert.deepEqual(from, before, 'the target is not modified (copy-on-write)');
        assert.equal(patch === undefined, deepEqual(to, from), 'no patch exactly when the objects are equal');
      }),
      { numRuns: 500 },
    );
  });

  test('equal objects have no diff; keys with / and ~ survive as JSON pointers', () => {
    assert.equal(diffObjects({ a: { b: [1] } }, { a: { b: [1] } }), undefined);
    const patch = diffObjects({ 'a/b': { '~c': 1 } }, {});
    assert.deepEqual(patch, { set: { '/a~1b': { '~c': 1 } } });
    assert.deepEqual(fromPointer(toPointer(['a/b', '~c'])), ['a/b', '~c']);
  });

  test('a __proto__ key in a patch stays plain data and pollutes nothing', () => {
    const patch = JSON.parse('{"set":{"/__proto__/polluted":true,"/spec/__proto__":{"x":1}}}');
    const target = applyRestorePatch({}, patch);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.equal(Object.getPrototypeOf(target), Object.prototype);
    assert.deepEqual(Object.keys(target), ['__proto__', 'spec']);
  });

  test('pointers that do not decode are reported, not applied', () => {
    const bad: string[] = [];
    applyRestorePatch({}, { set: { 'no-slash': 1 }, remove: ['/~2'] }, (p) => bad.push(p));
    assert.deepEqual(bad, ['/~2', 'no-slash']);
  });
});

describe('the conversion-data annotation', () => {
  test('takeConversionData removes the annotation, and an annotations map left empty', () => {
    const object: JsonObject = { metadata: { name: 'a', annotations: { [CONVERSION_DATA_ANNOTATION]: '{"v1":{"set":{"/host":"h"}}}' } } };
    assert.deepEqual(takeConversionData(object), { data: { v1: { set: { '/host': 'h' } } }, problems: [] });
    assert.deepEqual(object, { metadata: { name: 'a' } });
  });

  test('takeConversionData leaves other annotations and objects without the annotation alone', () => {
    const object: JsonObject = { metadata: { annotations: { keep: 'me' } } };
    assert.deepEqual(takeConversionData(object), { data: {}, problems: [] });
    assert.deepEqual(object, { metadata: { annotations: { keep: 'me' } } });
  });

  for (const [value, problem] of [
    ['not json', 'is not valid JSON, ignored'],
    ['[1]', 'is not a JSON object of version -> {set, remove, hash}, ignored'],
    ['{"v1":{"set":[]}}', 'entry "v1" is not {set: object, remove: [string], hash: object}, ignored'],
    ['{"v1":{"other":1}}', 'entry "v1" is not {set: object, remove: [string], hash: object}, ignored'],
    ['{"v1":{"hash":{"/a":1}}}', 'entry "v1" is not {set: object, remove: [string], hash: object}, ignored'],
  ] as const) {
    test(`a hand-edited annotation ${JSON.stringify(value)} is ignored with a problem naming the annotation, never thrown`, () => {
      const object: JsonObject = { metadata: { annotations: { [CONVERSION_DATA_ANNOTATION]: value } } };
      assert.deepEqual(takeConversionData(object), { data: {}, problems: [`metadata.annotations[${CONVERSION_DATA_ANNOTATION}]: ${problem}`] });
      assert.deepEqual(object, { metadata: {} }, 'the bad annotation is taken out all the same');
    });
  }

  test('a bad entry is ignored, the good ones beside it are kept', () => {
    const object: JsonObject = { metadata: { annotations: { [CONVERSION_DATA_ANNOTATION]: '{"v1":{"set":{"/a":1},"hash":{"/a":"x"}},"v2":7}' } } };
    const taken = takeConversionData(object);
    assert.deepEqual(taken.data, { v1: { set: { '/a': 1 }, hash: { '/a': 'x' } } });
    assert.equal(taken.problems.length, 1);
  });

  test('putConversionData writes compact JSON, creating metadata.annotations, and skips empty data', () => {
    const object: JsonObject = { metadata: { name: 'a' } };
    putConversionData(object, {});
    assert.deepEqual(object, { metadata: { name: 'a' } });
    putConversionData(object, { v1: { remove: ['/x'] } });
    assert.deepEqual(object, { metadata: { name: 'a', annotations: { [CONVERSION_DATA_ANNOTATION]: '{"v1":{"remove":["/x"]}}' } } });
  });

  test('putConversionData refuses to take all annotations past the apiserver limit', () => {
    const object: JsonObject = { metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': 'x'.repeat(MAX_ANNOTATIONS_BYTES - 200) } } };
    assert.throws(() => putConversionData(object, { v1: { set: { '/a': 'y'.repeat(300) } } }), /past the apiserver's 262144 bytes/);
    putConversionData(object, { v1: { remove: ['/a'] } });
    assert.equal(((object['metadata'] as JsonObject)['annotations'] as JsonObject)[CONVERSION_DATA_ANNOTATION], '{"v1":{"remove":["/a"]}}');
  });

  test('putConversionData refuses data over the size bound instead of letting the apiserver reject the write, naming the fields', () => {
    const object: JsonObject = { metadata: {} };
    assert.throws(
      () => putConversionData(object, { v1: { set: { '/big': 'x'.repeat(MAX_CONVERSION_DATA_BYTES), '/small': 1 } } }),
      (err: unknown) => {
        assert.ok(err instanceof ConversionError);
        assert.equal(err.field, `metadata.annotations[${CONVERSION_DATA_ANNOTATION}]`);
        assert.match(err.message, /: the fields the target version has no place for \(v1 \/big, v1 \/small\) need 131\d{3} bytes of conversion data, more than the 131072 allowed$/);
        return true;
      },
    );
    assert.deepEqual(object, { metadata: {} });
  });
});
