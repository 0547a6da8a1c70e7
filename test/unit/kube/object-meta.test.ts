import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { objectKey, splitKey } from '../../../src/kube/object-key.js';
import { finalizersOf, isBeingDeleted, metadataOf, nameOf, namespaceOf, stringMapOf, uidOf } from '../../../src/kube/object-meta.js';

describe('object metadata', () => {
  const obj = {
    metadata: { name: 'web', namespace: 'shop', uid: 'u1', labels: { app: 'x', bad: 1 }, finalizers: ['f', 2], deletionTimestamp: '2026-01-01T00:00:00Z' },
  };

  it('reads names, uid, finalizers and deletion', () => {
    assert.equal(nameOf(obj), 'web');
    assert.equal(namespaceOf(obj), 'shop');
    assert.equal(uidOf(obj), 'u1');
    assert.deepEqual(finalizersOf(obj), ['f']);
    assert.equal(isBeingDeleted(obj), true);
    assert.equal(nameOf({ metadata: 'nope' }), '');
    assert.deepEqual(metadataOf(null), {});
  });

  it('returns string maps without a prototype, dropping non-strings', () => {
    const labels = stringMapOf(obj, 'labels');
    assert.equal(Object.getPrototypeOf(labels), null);
    assert.deepEqual(Object.entries(labels), [['app', 'x']]);
    const hostile = stringMapOf(JSON.parse('{"metadata":{"labels":{"__proto__":"y"}}}') as never, 'labels');
    assert.equal(Object.hasOwn(hostile, '__proto__'), true);
    assert.equal('toString' in stringMapOf(obj, 'annotations'), false);
  });

  it('makes and splits namespace/name keys', () => {
    assert.equal(objectKey(obj), 'shop/web');
    assert.equal(objectKey({ metadata: { name: 'c' } }), 'c');
    assert.deepEqual(splitKey('shop/web'), { namespace: 'shop', name: 'web' });
    assert.deepEqual(splitKey('c'), { namespace: '', name: 'c' });
  });
});
