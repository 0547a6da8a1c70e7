import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { claimName, isDnsSubdomain } from '../../../src/controller/claim.js';

test('a short pair is named <namespace>.<name>', () => {
  assert.equal(claimName('shop', 'web'), 'shop.web');
  assert.equal(claimName('', 'cluster-thing'), 'cluster-thing');
});

test('a pair longer than the limit is cut and gets a hash suffix', () => {
  const name = claimName('a'.repeat(63), 'b'.repeat(63), 63);
  assert.equal(name.length <= 63, true);
  assert.ok(isDnsSubdomain(name), name);
  assert.match(name, /[0-9a-f]{10}$/);
  assert.notEqual(claimName('a'.repeat(63), 'b'.repeat(62) + 'c', 63), name, 'different sources, different names');
});

test('invalid characters are replaced and a hash keeps the result unique', () => {
  const upper = claimName('shop', 'Web');
  assert.ok(isDnsSubdomain(upper), upper);
  assert.notEqual(upper, claimName('shop', 'web'));
  assert.ok(isDnsSubdomain(claimName('ns', 'system:controller:x')));
});

test('names are always valid, bounded and deterministic', () => {
  const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
  const anyName = fc.string({ minLength: 1, maxLength: 253 });
  fc.assert(
    fc.property(label, fc.oneof(label, anyName), fc.integer({ min: 20, max: 253 }), (ns, name, max) => {
      const n = claimName(ns, name, max);
      return isDnsSubdomain(n) && n.length <= max && n === claimName(ns, name, max);
    }),
  );
});

test('distinct valid sources never share a name', () => {
  const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/);
  fc.assert(
    fc.property(label, label, label, label, (ns1, n1, ns2, n2) => {
      fc.pre(ns1 !== ns2 || n1 !== n2);
      return claimName(ns1, n1, 30) !== claimName(ns2, n2, 30);
    }),
  );
});
