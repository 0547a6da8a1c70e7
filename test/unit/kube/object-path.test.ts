import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  displayPath,
  fromPointer,
  getPath,
  ObjectPathError,
  parseObjectPath,
  pointerToDisplay,
  removePath,
  setPath,
  setPathIfAbsent,
  toPointer,
} from '../../../src/kube/object-path.js';
import type { JsonObject } from '../../../src/kube/types.js';

describe('object paths', () => {
  it('parses dotted names, quoted keys and indexes', () => {
    assert.deepEqual(parseObjectPath('spec.owner').segments, ['spec', 'owner']);
    assert.deepEqual(parseObjectPath('.metadata.labels["app.kubernetes.io/name"]').segments, ['metadata', 'labels', 'app.kubernetes.io/name']);
    assert.deepEqual(parseObjectPath("spec.hooks[0]['url']").segments, ['spec', 'hooks', 0, 'url']);
  });

  it('accepts every form the binding and conversion documents accepted before', () => {
    // Bindings allowed [A-Za-z0-9_-] segments (a leading digit included), conversions `$` and `-`.
    assert.deepEqual(parseObjectPath('status.load-balancer.ingress').segments, ['status', 'load-balancer', 'ingress']);
    assert.deepEqual(parseObjectPath('spec.0ports.x_y').segments, ['spec', '0ports', 'x_y']);
    assert.deepEqual(parseObjectPath('spec.$ref').segments, ['spec', '$ref']);
  });

  it('renders keys with dots or slashes in brackets', () => {
    assert.equal(parseObjectPath('metadata.labels["app.kubernetes.io/name"]').display, 'metadata.labels[app.kubernetes.io/name]');
    assert.equal(parseObjectPath('spec.hooks[1].url').display, 'spec.hooks[1].url');
    assert.equal(displayPath(['metadata', 'annotations', 'example.com/x']), 'metadata.annotations[example.com/x]');
  });

  it('rejects malformed paths', () => {
    for (const bad of ['', '.', 'spec..x', 'spec.', 'spec[', 'spec[x]', 'spec owner', 'spec.a/b']) {
      assert.throws(() => parseObjectPath(bad), (err: unknown) => err instanceof ObjectPathError && /^invalid field path/.test(err.message), bad);
    }
    assert.throws(() => parseObjectPath('spec..x'), { message: 'invalid field path "spec..x": segment "" of "spec..x" must be an identifier' });
  });

  it('converts to and from JSON pointers (RFC 6901)', () => {
    assert.equal(toPointer(['metadata', 'labels', 'a/b~c', 0]), '/metadata/labels/a~1b~0c/0');
    assert.deepEqual(fromPointer('/metadata/labels/a~1b~0c/0'), ['metadata', 'labels', 'a/b~c', '0']);
    assert.deepEqual(fromPointer(''), []);
    assert.equal(fromPointer('spec'), undefined);
    assert.equal(fromPointer('/bad~2'), undefined);
    assert.equal(pointerToDisplay('/spec/rules/0/name'), 'spec.rules[0].name');
    assert.equal(pointerToDisplay(''), '');
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 5 }), (tokens) => {
        assert.deepEqual(fromPointer(toPointer(tokens)), tokens);
      }),
    );
  });

  it('gets values and undefined for missing steps', () => {
    const obj = { spec: { hooks: [{ url: 'u' }] } };
    assert.equal(getPath(obj, parseObjectPath('spec.hooks[0].url').segments), 'u');
    assert.equal(getPath(obj, parseObjectPath('spec.hooks[3].url').segments), undefined);
    assert.equal(getPath(obj, parseObjectPath('spec.toString').segments), undefined);
  });

  it('sets only absent values, creating objects but never list items', () => {
    const obj = { spec: { hooks: [] as unknown[] } } as never;
    assert.equal(setPathIfAbsent(obj, parseObjectPath('spec.a.b').segments, 1), true);
    assert.equal(setPathIfAbsent(obj, parseObjectPath('spec.a.b').segments, 2), false);
    assert.equal(setPathIfAbsent(obj, parseObjectPath('spec.hooks[0].x').segments, 1), false);
    assert.deepEqual(obj, { spec: { hooks: [], a: { b: 1 } } });
  });

  it('sets values, replacing what is not an object on the way, and keeps __proto__ as data', () => {
    const obj: JsonObject = { spec: { a: 'scalar', list: [{ x: 1 }] } };
    assert.equal(setPath(obj, ['spec', 'a', 'b'], 2), true);
    assert.equal(setPath(obj, ['spec', 'list', 0, 'x'], 3), true);
    assert.equal(setPath(obj, ['spec', 'list', 5, 'x'], 3), false);
    assert.equal(setPath(obj, ['spec', '__proto__', 'polluted'], true), true);
    assert.deepEqual(Object.keys(obj['spec'] as JsonObject), ['a', 'list', '__proto__']);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.deepEqual((obj['spec'] as JsonObject)['a'], { b: 2 });
    assert.deepEqual((obj['spec'] as JsonObject)['list'], [{ x: 3 }]);
  });

  it('removes keys and list items', () => {
    const obj: JsonObject = { spec: { a: 1, list: ['x', 'y'] } };
    assert.equal(removePath(obj, ['spec', 'a']), true);
    assert.equal(removePath(obj, ['spec', 'a']), false);
    assert.equal(removePath(obj, ['spec', 'list', 0]), true);
    assert.equal(removePath(obj, ['spec', 'list', 4]), false);
    assert.deepEqual(obj, { spec: { list: ['y'] } });
  });
});
