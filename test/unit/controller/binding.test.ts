import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBinding } from '../../../src/controller/binding.js';
import { loadBindings } from '../../../src/controller/binding-loader.js';
import { compileFilter } from '../../../src/controller/binding-filter.js';
import { BindingError } from '../../../src/controller/errors.js';
import { createMergePatch, isSubset } from '../../../src/controller/merge-patch.js';
import { loadShippedBinding, service } from './fixture.js';

const base = {
  apiVersion: 'portcullis.dev/v1alpha1',
  kind: 'ControllerBinding',
  metadata: { name: 'b' },
  spec: {
    source: { apiVersion: 'v1', kind: 'Service', resource: 'services' },
    target: { apiVersion: 'x.dev/v1', kind: 'Thing' },
    filter: { field: { path: 'spec.type', equals: 'LoadBalancer' } },
  },
};

test('the shipped binding loads with its resources, CEL filter and copies', async () => {
  const b = await loadShippedBinding();
  assert.equal(b.name, 'loadbalancer-claims');
  assert.deepEqual(b.source, { group: '', version: 'v1', kind: 'Service', resource: 'services', namespaced: true });
  assert.equal(b.target.group, 'net.portcullis.dev');
  assert.equal(b.target.namespaced, false);
  assert.deepEqual(b.statusReflection, [{ from: 'status.ingress', to: 'status.loadBalancer.ingress' }]);
});

test('a target resource defaults to the lowercase plural of its kind', () => {
  assert.equal(parseBinding(base).target.resource, 'things');
});

test('invalid bindings are rejected with a message naming the problem', () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ ...base, kind: 'Other' }, /kind ControllerBinding/],
    [{ ...base, metadata: { name: 'Bad_Name' } }, /DNS label/],
    [{ ...base, spec: { ...base.spec, filter: {} } }, /exactly one/],
    [{ ...base, spec: { ...base.spec, filter: { cel: 'x', annotation: { key: 'a' } } } }, /exactly one/],
    [{ ...base, spec: { ...base.spec, spec: [{ from: 'a..b', to: 'x' }] } }, /dot-separated/],
    [{ ...base, spec: { ...base.spec, nameRule: { maxLength: 5 } } }, /maxLength/],
    [{ ...base, spec: { ...base.spec, target: { kind: 'X' } } }, /apiVersion/],
  ];
  for (const [doc, message] of cases) assert.throws(() => parseBinding(doc as never), (err: unknown) => err instanceof BindingError && message.test((err as Error).message));
});

test('loadBindings skips other kinds and rejects duplicate names', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bindings-'));
  await writeFile(join(dir, 'a.yaml'), `kind: ConfigMap\n---\n${JSON.stringify(base)}\n`);
  assert.equal((await loadBindings(dir)).length, 1);
  await writeFile(join(dir, 'b.yaml'), JSON.stringify(base));
  await assert.rejects(loadBindings(dir), /duplicate binding name b/);
});

test('filters: field test, annotation and CEL (evaluation errors mean no match)', () => {
  const field = compileFilter({ field: { path: 'spec.type', in: ['LoadBalancer', 'NodePort'] } });
  assert.equal(field(service('a')), true);
  assert.equal(field(service('a', 'ClusterIP')), false);
  const annotated = compileFilter({ annotation: { key: 'lb.portcullis.dev/claim', value: 'yes' } });
  assert.equal(annotated(service('a', 'ClusterIP', { metadata: { annotations: { 'lb.portcullis.dev/claim': 'yes' } } })), true);
  assert.equal(annotated(service('a')), false);
  const cel = compileFilter({ cel: "object.spec.type == 'LoadBalancer'" });
  assert.equal(cel(service('a')), true);
  assert.equal(cel({ metadata: { name: 'x' } }), false, 'missing field is not a match, not a crash');
  assert.throws(() => compileFilter({ cel: 'object.spec.type ==' }), BindingError);
});

test('merge patches null removed keys, replace arrays, and are undefined when equal', () => {
  assert.equal(createMergePatch({ a: 1 }, { a: 1 }), undefined);
  assert.deepEqual(createMergePatch({ a: 1, b: { c: 2, d: 3 } }, { b: { c: 2 }, e: [1] }), { a: null, b: { d: null }, e: [1] });
});

test('isSubset accepts server-defaulted extras but not changed or missing values', () => {
  assert.equal(isSubset([{ ip: '1.2.3.4' }], [{ ip: '1.2.3.4', ipMode: 'VIP' }]), true);
  assert.equal(isSubset([{ ip: '1.2.3.4' }], [{ ip: '1.2.3.5', ipMode: 'VIP' }]), false);
  assert.equal(isSubset([{ ip: '1.2.3.4' }], []), false);
  assert.equal(isSubset({ a: 1 }, undefined), false);
});

test('CEL filters compile through the shared environment: Kubernetes functions and bool results', () => {
  const named = compileFilter({ cel: "object.metadata.name.matches('^web-[0-9]+$') && object.metadata.name.lowerAscii() == object.metadata.name" });
  assert.equal(named({ metadata: { name: 'web-1' } }), true);
  assert.equal(named({ metadata: { name: 'db-1' } }), false);
  const sized = compileFilter({ cel: "quantity(object.metadata.annotations['size']).isGreaterThan(quantity('1Gi'))" });
  assert.equal(sized({ metadata: { annotations: { size: '2Gi' } } }), true);
  assert.equal(sized({ metadata: {} }), false, 'a missing key is no match');
  assert.throws(() => compileFilter({ cel: "'LoadBalancer'" }), /spec\.filter\.cel: .*must evaluate to bool/);
  assert.throws(() => compileFilter({ cel: 'object.spec.type ==' }), /spec\.filter\.cel: compiling CEL expression/);
});

test('a binding whose CEL filter does not compile fails the load, naming file, binding and field', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bindings-'));
  const bad = { ...base, metadata: { name: 'broken' }, spec: { ...base.spec, filter: { cel: "object.spec.type == 'LoadBalancer' &&" } } };
  await writeFile(join(dir, 'broken.yaml'), JSON.stringify(bad));
  await assert.rejects(loadBindings(dir), (err: Error) => {
    assert.ok(err instanceof BindingError);
    assert.match(err.message, /^broken\.yaml: binding broken: spec\.filter\.cel: compiling CEL expression/);
    return true;
  });
});
