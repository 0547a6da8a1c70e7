import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getPath, parseObjectPath, setPathIfAbsent } from '../../../src/policy/object-path.js';

describe('object paths', () => {
  it('parses dotted names, quoted keys and indexes', () => {
    assert.deepEqual(parseObjectPath('spec.owner').segments, ['spec', 'owner']);
    assert.deepEqual(parseObjectPath('.metadata.labels["app.kubernetes.io/name"]').segments, ['metadata', 'labels', 'app.kubernetes.io/name']);
    assert.deepEqual(parseObjectPath("spec.hooks[0]['url']").segments, ['spec', 'hooks', 0, 'url']);
  });

  it('renders keys with dots or slashes in brackets', () => {
    assert.equal(parseObjectPath('metadata.labels["app.kubernetes.io/name"]').display, 'metadata.labels[app.kubernetes.io/name]');
    assert.equal(parseObjectPath('spec.hooks[1].url').display, 'spec.hooks[1].url');
  });

  it('rejects malformed paths', () => {
    for (const bad of ['', 'spec..x', 'spec[', 'spec[x]', 'spec.9x', 'spec owner']) assert.throws(() => parseObjectPath(bad), /invalid field path/, bad);
  });

  it('gets values and undefined for missing steps', () => {
    const obj = { spec: { hooks: [{ url: 'u' }] } };
    assert.equal(getPath(obj, parseObjectPath('spec.hooks[0].url')), 'u');
    assert.equal(getPath(obj, parseObjectPath('spec.hooks[3].url')), undefined);
    assert.equal(getPath(obj, parseObjectPath('spec.toString')), undefined);
  });

  it('sets only absent values, creating objects but never list items', () => {
    const obj = { spec: { hooks: [] as unknown[] } } as never;
    assert.equal(setPathIfAbsent(obj, parseObjectPath('spec.a.b'), 1), true);
    assert.equal(setPathIfAbsent(obj, parseObjectPath('spec.a.b'), 2), false);
    assert.equal(setPathIfAbsent(obj, parseObjectPath('spec.hooks[0].x'), 1), false);
    assert.deepEqual(obj, { spec: { hooks: [], a: { b: 1 } } });
  });
});
