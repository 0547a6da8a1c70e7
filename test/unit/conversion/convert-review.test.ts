import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CONVERSION_DATA_ANNOTATION } from '../../../src/conversion/conversion-data.js';
import { ConversionError } from '../../../src/conversion/conversion-error.js';
import { createConverterRegistry } from '../../../src/conversion/converter-registry.js';
import { createConversionHandler, objectName } from '../../../src/conversion/convert-review.js';
import { hashFieldValues } from '../../../src/conversion/field-hash.js';
import { createKindConverter } from '../../../src/conversion/kind-converter.js';
import type { JsonObject } from '../../../src/kube/types.js';

/** A hub v2 with `size`, a spoke v1 with `sizeGi` (renamed) and no `color`. */
const converter = createKindConverter({
  group: 'demo.example',
  kind: 'Box',
  hub: 'v2',
  spokes: {
    v1: {
      toHub: ({ sizeGi, ...rest }) => (sizeGi === undefined ? { ...rest } : { ...rest, size: sizeGi }),
      fromHub: ({ size, color: _color, ...rest }) => {
        if (size === 'boom') throw new TypeError('a converter bug');
        if (size === 'bad') throw new ConversionError({ field: 'size', message: 'is bad' });
        return size === undefined ? { ...rest } : { ...rest, sizeGi: size };
      },
    },
  },
});
const errors: string[] = [];
const warnings: string[] = [];
const handler = createConversionHandler({
  registry: () => createConverterRegistry([converter]),
  onError: (err) => errors.push(err.message),
  onWarning: (message) => warnings.push(message),
});
const box = (version: string, fields: JsonObject, metadata: JsonObject = { name: 'b', namespace: 'ns' }): JsonObject => ({ apiVersion: `demo.example/${version}`, kind: 'Box', metadata, ...fields });
const convert = (desired: string, ...objects: JsonObject[]) => handler({ uid: 'u', desiredAPIVersion: `demo.example/${desired}`, objects });

describe('the conversion handler', () => {
  test('converts spoke -> hub and hub -> spoke, keeping metadata but taking labels and annotations from the converter', () => {
    const metadata = { name: 'b', namespace: 'ns', uid: 'x', labels: { a: 'b' }, managedFields: [{ manager: 'kubectl' }] };
    const response = convert('v2', box('v1', { sizeGi: 3 }, metadata));
    assert.deepEqual(response.convertedObjects, [box('v2', { size: 3 }, metadata)]);
  });

  test('passes an object already in the desired version through as the very same object', () => {
    const object = box('v2', { size: 1, color: 'red' });
    assert.equal(convert('v2', object).convertedObjects[0], object);
  });

  test('a field the spoke has no place for travels in the annotation and comes back, leaving no annotation', () => {
    const original = box('v2', { size: 1, color: 'red' }, { name: 'b', annotations: { keep: 'me' } });
    const v1 = convert('v1', original).convertedObjects[0] as JsonObject;
    const data = JSON.stringify({ v2: { set: { '/color': 'red' }, hash: { '/color': hashFieldValues([undefined]) } } });
    assert.deepEqual(v1, box('v1', { sizeGi: 1 }, { name: 'b', annotations: { keep: 'me', [CONVERSION_DATA_ANNOTATION]: data } }));
    assert.deepEqual(convert('v2', v1).convertedObjects[0], original);
  });

  test('a stored copy never brings back an old value: a field edited in the other version since wins over its copy', () => {
    const v1 = convert('v1', box('v2', { size: 1, color: 'red' })).convertedObjects[0] as JsonObject;
    // A v1 client sets color (v1 passes unknown fields through), keeping the annotation it read.
    const edited = { ...v1, color: 'green' };
    const stored = convert('v2', edited).convertedObjects[0] as JsonObject;
    assert.equal(stored['color'], 'green');
    assert.doesNotMatch(JSON.stringify(stored), /red/, 'the old value is gone for good');
    // Edits elsewhere leave the copy fresh.
    assert.deepEqual(convert('v2', { ...v1, sizeGi: 5 }).convertedObjects[0], box('v2', { size: 5, color: 'red' }));
  });

  test('an unreadable conversion-data annotation is ignored and reported through onWarning: the object still converts', () => {
    warnings.length = 0;
    const response = convert('v2', box('v1', { sizeGi: 2 }, { name: 'b', namespace: 'ns', annotations: { [CONVERSION_DATA_ANNOTATION]: '{oops' } }));
    assert.deepEqual(response.convertedObjects, [box('v2', { size: 2 })]);
    assert.deepEqual(warnings, [`ns/b: metadata.annotations[${CONVERSION_DATA_ANNOTATION}]: is not valid JSON, ignored`]);
  });

  test('a hand-edited annotation can restore spoke fields but never apiVersion, kind or metadata', () => {
    const data = JSON.stringify({ v2: { set: { '/color': 'blue', '/kind': 'Evil', '/apiVersion': 'x/y', '/metadata/name': 'other', '/metadata/uid': 'u2' } } });
    const response = convert('v2', box('v1', { sizeGi: 1 }, { name: 'b', uid: 'u1', annotations: { [CONVERSION_DATA_ANNOTATION]: data } }));
    assert.deepEqual(response.convertedObjects[0], box('v2', { size: 1, color: 'blue' }, { name: 'b', uid: 'u1' }));
  });

  test('fails the whole review on the first object that fails, naming namespace/name, apiVersions and field', () => {
    const response = convert('v1', box('v2', { size: 1 }), box('v2', { size: 'bad' }, { name: 'c', namespace: 'prod' }));
    assert.deepEqual(response, { uid: 'u', result: { status: 'Failure', message: 'prod/c: demo.example/v2 -> demo.example/v1: size: is bad' }, convertedObjects: [] });
  });

  test('a converter bug fails the review and is reported through onError', () => {
    errors.length = 0;
    const response = convert('v1', box('v2', { size: 'boom' }));
    assert.deepEqual(response.result, { status: 'Failure', message: 'ns/b: demo.example/v2 -> demo.example/v1: converter failed: a converter bug' });
    assert.deepEqual(errors, ['a converter bug']);
  });

  test('objects of another group, an unknown kind or an unknown version fail with a clear message', () => {
    assert.equal(convert('v1', { ...box('v2', {}), apiVersion: 'other.example/v2' }).result.message, 'ns/b: other.example/v2 -> demo.example/v1: apiVersion: "other.example/v2" is not in group "demo.example" of desiredAPIVersion');
    assert.equal(convert('v1', { ...box('v2', {}), kind: 'Crate' }).result.message, 'ns/b: demo.example/v2 -> demo.example/v1: kind: no converter is configured for demo.example/Crate');
    assert.equal(convert('v3', box('v2', {})).result.message, 'ns/b: demo.example/v2 -> demo.example/v3: apiVersion: version "v3" of demo.example/Box has no converter (known: v2, v1)');
  });

  test('__proto__ keys in objects are plain data: they survive a round trip and pollute nothing', () => {
    const original = JSON.parse('{"apiVersion":"demo.example/v2","kind":"Box","metadata":{"name":"b"},"size":1,"color":{"__proto__":{"polluted":true}},"__proto__":{"x":1}}') as JsonObject;
    const v1 = convert('v1', original).convertedObjects[0] as JsonObject;
    assert.ok(Object.prototype.hasOwnProperty.call(v1, '__proto__'));
    assert.deepEqual(convert('v2', v1).convertedObjects[0], original);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.equal(({} as Record<string, unknown>)['x'], undefined);
  });

  test('names cluster-scoped and unnamed objects sensibly', () => {
    assert.equal(objectName({ metadata: { name: 'a' } }), 'a');
    assert.equal(objectName({ metadata: { name: 'a', namespace: 'n' } }), 'n/a');
    assert.equal(objectName({ metadata: {} }), '<unnamed>');
  });
});
