import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deepCopy } from '../../../src/kube/safe-object.js';
import { engineFrom, policy, requestFor, widget } from './helpers.js';

const body = `mutations:
  - name: owner
    createOnly: true
    defaults:
      - {path: spec.owner, expression: request.userInfo.username}
  - name: basics
    defaults:
      - {path: spec.replicas, value: 2}
      - {path: 'spec.resources.limits', value: {cpu: 1}}
    labels: {app.kubernetes.io/managed-by: portcullis}
    annotations: {example.com/policy: applied}`;

describe('policy mutations', () => {
  const engine = engineFrom(policy('m', body));

  it('sets constant and CEL defaults and adds labels and annotations where absent', () => {
    const request = requestFor({ userInfo: { username: 'ann' } });
    const working = deepCopy(request.object!);
    const outcome = engine.mutate(request, working);
    assert.deepEqual(outcome.violations, []);
    assert.deepEqual(working, {
      ...widget({ labels: { 'app.kubernetes.io/managed-by': 'portcullis' }, annotations: { 'example.com/policy': 'applied' } }),
      spec: { image: 'nginx', owner: 'ann', replicas: 2, resources: { limits: { cpu: 1 } } },
    });
  });

  it('never overrides what the user wrote', () => {
    const object = widget({ labels: { 'app.kubernetes.io/managed-by': 'helm' } }, { image: 'nginx', owner: 'bob', replicas: 5 });
    const working = deepCopy(object);
    engine.mutate(requestFor({ object }), working);
    assert.equal((working['spec'] as Record<string, unknown>)['owner'], 'bob');
    assert.equal((working['spec'] as Record<string, unknown>)['replicas'], 5);
    assert.deepEqual((working['metadata'] as Record<string, unknown>)['labels'], { 'app.kubernetes.io/managed-by': 'helm' });
  });

  it('is idempotent: running on its own output changes nothing', () => {
    const request = requestFor();
    const once = deepCopy(request.object!);
    engine.mutate(request, once);
    const twice = deepCopy(once);
    engine.mutate({ ...request, object: once }, twice);
    assert.deepEqual(twice, once);
  });

  it('runs create-only mutations on CREATE only', () => {
    const request = requestFor({ operation: 'UPDATE' });
    const working = deepCopy(request.object!);
    engine.mutate(request, working);
    assert.equal((working['spec'] as Record<string, unknown>)['owner'], undefined);
    assert.equal((working['spec'] as Record<string, unknown>)['replicas'], 2);
  });

  it('does nothing on DELETE', () => {
    const outcome = engine.mutate(requestFor({ operation: 'DELETE' }), widget());
    assert.deepEqual(outcome, { violations: [], warnings: [], auditAnnotations: {} });
  });

  it('sets nothing when a CEL default yields an empty string', () => {
    const request = requestFor({ userInfo: {} as never });
    const working = deepCopy(request.object!);
    engineFrom(policy('m', 'mutations:\n  - name: owner\n    defaults: [{path: spec.owner, expression: "has(request.userInfo.username) ? request.userInfo.username : \'\'"}]')).mutate(request, working);
    assert.equal((working['spec'] as Record<string, unknown>)['owner'], undefined);
  });

  it('denies when a CEL default fails to evaluate', () => {
    const request = requestFor();
    const outcome = engineFrom(policy('m', 'mutations:\n  - name: bad\n    defaults: [{path: spec.owner, expression: object.spec.nope}]')).mutate(request, deepCopy(request.object!));
    assert.equal(outcome.violations.length, 1);
    assert.match(JSON.stringify(outcome.violations[0]), /default expression failed/);
  });

  it('keeps __proto__ keys as data', () => {
    const request = requestFor();
    const working = deepCopy(request.object!);
    engineFrom(policy('m', "mutations:\n  - name: p\n    defaults: [{path: 'spec[\"__proto__\"].polluted', value: true}]")).mutate(request, working);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.ok(Object.prototype.hasOwnProperty.call(working['spec'], '__proto__'));
  });
});
