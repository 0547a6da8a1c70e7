import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorString } from '../../../src/kube/field-error.js';
import { engineFrom, policy, requestFor, widget } from './helpers.js';

const messages = (outcome: ReturnType<ReturnType<typeof engineFrom>['validate']>) =>
  outcome.violations.map((v) => (v.kind === 'forbidden' ? `403 ${v.message}` : errorString(v.error)));

function judge(body: string, overrides: Parameters<typeof requestFor>[0] = {}, match?: string) {
  const engine = engineFrom(policy('p', body, match));
  const request = requestFor(overrides);
  return engine.validate(request, request.object);
}

describe('metadata rules', () => {
  it('checks annotations required with a value pattern and forbidden ones', () => {
    const body = 'rules:\n  - name: r\n    metadata: {annotations: {required: [{key: example.com/cost-center, pattern: "^[0-9]{4}$"}], forbidden: [example.com/legacy]}}';
    assert.deepEqual(messages(judge(body, { object: widget({ annotations: { 'example.com/cost-center': '12', 'example.com/legacy': 'x' } }) })), [
      'metadata.annotations[example.com/cost-center]: Invalid value: "12": must match ^[0-9]{4}$ (policy p, rule r)',
      'metadata.annotations[example.com/legacy]: Forbidden: annotation "example.com/legacy" is not allowed (policy p, rule r)',
    ]);
    assert.deepEqual(messages(judge(body, { object: widget({ annotations: { 'example.com/cost-center': '1234' } }) })), []);
  });

  it('allows only listed finalizers', () => {
    const body = 'rules:\n  - name: r\n    metadata: {finalizers: {allowed: [example.com/cleanup]}}';
    assert.deepEqual(messages(judge(body, { object: widget({ finalizers: ['example.com/cleanup', 'other/x'] }) })), [
      'metadata.finalizers[1]: Unsupported value: "other/x": allowed finalizers: example.com/cleanup (policy p, rule r)',
    ]);
  });

  it('requires an owner reference of a listed kind', () => {
    const body = 'rules:\n  - name: r\n    metadata: {ownerReferences: {requiredKinds: [GadgetClass]}}';
    assert.equal(messages(judge(body)).length, 1);
    assert.deepEqual(messages(judge(body, { object: widget({ ownerReferences: [{ kind: 'GadgetClass', name: 'x' }] }) })), []);
  });

  it('does not judge metadata on DELETE', () => {
    const body = 'rules:\n  - name: r\n    metadata: {labels: {required: [{key: team}]}}';
    assert.deepEqual(messages(judge(body, { operation: 'DELETE' }, "resources: [{apiGroups: ['*'], kinds: ['*']}]\n    operations: ['*']")), []);
  });
});

describe('immutable rules', () => {
  const body = 'rules:\n  - name: r\n    immutable: [{path: spec.image}, {path: \'metadata.labels["team"]\', onceSet: true}]';
  it('denies changing, adding or removing an immutable field on UPDATE', () => {
    assert.deepEqual(messages(judge(body, { operation: 'UPDATE', oldObject: widget({}, { image: 'a' }), object: widget({}, { image: 'b' }) })), [
      'spec.image: Invalid value: "b": field is immutable (policy p, rule r)',
    ]);
    assert.equal(messages(judge(body, { operation: 'UPDATE', oldObject: widget({}, { image: 'a' }), object: widget({}, {}) })).length, 1);
    assert.deepEqual(messages(judge(body, { operation: 'UPDATE', oldObject: widget({}, { image: 'a' }), object: widget({}, { image: 'a' }) })), []);
  });

  it('lets a once-set field be set the first time, but not changed after', () => {
    assert.deepEqual(messages(judge(body, { operation: 'UPDATE', oldObject: widget(), object: widget({ labels: { team: 'a' } }) })), []);
    assert.deepEqual(messages(judge(body, { operation: 'UPDATE', oldObject: widget({ labels: { team: 'a' } }), object: widget({ labels: { team: 'b' } }) })), [
      'metadata.labels.team: Invalid value: "b": field is immutable once set (policy p, rule r)',
    ]);
  });

  it('does not apply on CREATE', () => {
    assert.deepEqual(messages(judge(body, { object: widget({}, { image: 'b' }) })), []);
  });
});

describe('schema rules', () => {
  const body = 'rules:\n  - name: r\n    schema: {properties: {spec: {required: [owner], properties: {image: {pattern: "^registry\\\\.example\\\\.com/"}}}}}';
  it('checks an extra OpenAPI fragment with apiserver-style errors', () => {
    assert.deepEqual(messages(judge(body, { object: widget({}, { image: 'nginx' }) })), [
      'spec.image: Invalid value: "nginx": spec.image in body should match \'^registry\\.example\\.com/\' (policy p, rule r)',
      'spec.owner: Required value: (policy p, rule r)',
    ]);
    assert.deepEqual(messages(judge(body, { object: widget({}, { image: 'registry.example.com/x', owner: 'a' }) })), []);
  });

  it('ratchets on UPDATE: unchanged old values are not re-judged', () => {
    const old = widget({}, { image: 'nginx', owner: 'a' });
    assert.deepEqual(messages(judge(body, { operation: 'UPDATE', oldObject: old, object: widget({}, { image: 'nginx', owner: 'b' }) })), []);
  });
});

describe('CEL rules', () => {
  it('denies with 422 at fieldPath, the value and the message', () => {
    const body = 'rules:\n  - name: r\n    cel: {expression: "object.spec.replicas <= 3", message: too many, fieldPath: spec.replicas}';
    assert.deepEqual(messages(judge(body, { object: widget({}, { replicas: 5 }) })), ['spec.replicas: Invalid value: 5: too many (policy p, rule r)']);
  });

  it('denies with 403 when the reason is Forbidden', () => {
    const body = 'rules:\n  - name: r\n    cel: {expression: "request.userInfo.username != \'bob\'", message: bob may not, reason: Forbidden}';
    assert.deepEqual(messages(judge(body, { userInfo: { username: 'bob' } })), ['403 bob may not (policy p, rule r)']);
  });

  it('builds the message from messageExpression, falling back on the expression', () => {
    const body = 'rules:\n  - name: r\n    cel: {expression: "false", messageExpression: "\'user \' + request.userInfo.username"}';
    assert.deepEqual(messages(judge(body)), ['Invalid value: user ann (policy p, rule r)']);
    const broken = 'rules:\n  - name: r\n    cel: {expression: "false", messageExpression: "object.nope"}';
    assert.deepEqual(messages(judge(broken)), ['Invalid value: failed expression: false (policy p, rule r)']);
  });

  it('sees oldObject and request on UPDATE', () => {
    const body = 'rules:\n  - name: r\n    cel: {expression: "object.spec.replicas >= oldObject.spec.replicas || request.userInfo.groups.exists(g, g == \'ops\')", message: no scale down}';
    const scaleDown = { operation: 'UPDATE' as const, oldObject: widget({}, { replicas: 3 }), object: widget({}, { replicas: 1 }) };
    assert.equal(messages(judge(body, scaleDown)).length, 1);
    assert.deepEqual(messages(judge(body, { ...scaleDown, userInfo: { username: 'x', groups: ['ops'] } })), []);
  });

  it('fails the rule when the expression cannot be evaluated', () => {
    const body = 'rules:\n  - name: r\n    cel: {expression: "object.spec.missing > 1"}';
    assert.match(messages(judge(body))[0] as string, /rule could not be evaluated: evaluating CEL expression: No such key: missing/);
  });

  it('runs on DELETE only when asked, with object null', () => {
    const body = 'rules:\n  - name: r\n    cel: {expression: "object == null && oldObject.spec.image != \'keep\'", message: keep it, operations: [DELETE]}';
    const match = "resources: [{apiGroups: ['*'], kinds: ['*']}]\n    operations: [DELETE]";
    assert.deepEqual(messages(judge(body, { operation: 'DELETE', oldObject: widget({}, { image: 'keep' }) }, match)), ['Invalid value: keep it (policy p, rule r)']);
    assert.deepEqual(messages(judge(body, { operation: 'DELETE', oldObject: widget({}, { image: 'other' }) }, match)), []);
  });
});

describe('delete protection', () => {
  const match = "resources: [{apiGroups: ['*'], kinds: ['*']}]\n    operations: [DELETE]";
  it('forbids DELETE while the annotation is set', () => {
    const body = 'rules:\n  - name: r\n    deleteProtection: {annotation: example.com/protect}';
    assert.deepEqual(messages(judge(body, { operation: 'DELETE', oldObject: widget({ annotations: { 'example.com/protect': '' } }) }, match)), [
      '403 deletion is not allowed while annotation example.com/protect is set (policy p, rule r)',
    ]);
    assert.deepEqual(messages(judge(body, { operation: 'DELETE', oldObject: widget() }, match)), []);
  });
});

describe('actions', () => {
  it('Warn adds a sanitised warning of at most 120 characters and allows', () => {
    const body = `rules:\n  - name: r\n    action: Warn\n    cel: {expression: "false", message: "line one\\nline two ${'x'.repeat(150)}"}`;
    const outcome = judge(body);
    assert.equal(outcome.violations.length, 0);
    assert.equal(outcome.warnings.length, 1);
    const warning = outcome.warnings[0] as string;
    assert.ok(warning.length <= 120, `${warning.length} characters`);
    assert.ok(warning.startsWith('p/r: line one line two xxx'));
    assert.ok(warning.endsWith('...'));
    assert.doesNotMatch(warning, /[\u0000-\u001f]/);
  });

  it('Audit records the finding under a valid audit annotation key', () => {
    const body = 'rules:\n  - name: r\n    action: Audit\n    cel: {expression: "false", message: seen}';
    const outcome = judge(body);
    assert.deepEqual(outcome.auditAnnotations, { 'p.r': 'seen' });
    assert.equal(outcome.violations.length, 0);
  });

  it('Deny cuts a huge message built from the object', () => {
    const body = 'rules:\n  - name: r\n    cel: {expression: "false", messageExpression: "object.spec.notes"}';
    const [message] = messages(judge(body, { object: widget({}, { notes: 'n'.repeat(100_000) }) }));
    assert.ok(message!.length < 1200, `${message!.length} characters`);
    assert.ok(message!.endsWith('... (policy p, rule r)'));
  });

  it('reports several violations of several rules together', () => {
    const body = 'rules:\n  - name: a\n    cel: {expression: "false", message: one}\n  - name: b\n    cel: {expression: "false", message: two}';
    assert.equal(judge(body).violations.length, 2);
  });

  it('the rule message replaces the generated one', () => {
    const body = 'rules:\n  - name: r\n    message: every widget needs a team\n    metadata: {labels: {required: [{key: team}]}}';
    assert.deepEqual(messages(judge(body)), ['metadata.labels.team: Required value: every widget needs a team (policy p, rule r)']);
  });
});
