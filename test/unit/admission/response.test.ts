import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allow, deny, intoReview, withAuditAnnotations, withPatch, withWarnings } from '../../../src/admission/response.js';

const request = { uid: 'u-1' };

describe('response helpers', () => {
  it('allow echoes the uid and allows', () => {
    assert.deepEqual(allow(request), { uid: 'u-1', allowed: true });
  });

  it('withPatch encodes ops as base64 JSONPatch', () => {
    const response = withPatch(allow(request), [{ op: 'add', path: '/spec/replicas', value: 3 }], 'CREATE');
    assert.equal(response.patchType, 'JSONPatch');
    assert.deepEqual(JSON.parse(Buffer.from(response.patch as string, 'base64').toString()), [{ op: 'add', path: '/spec/replicas', value: 3 }]);
  });

  it('withPatch sends nothing for an empty patch', () => {
    const response = withPatch(allow(request), [], 'CREATE');
    assert.equal(response.patch, undefined);
    assert.equal(response.patchType, undefined);
  });

  it('withPatch refuses a patch on DELETE', () => {
    assert.throws(() => withPatch(allow(request), [{ op: 'add', path: '/a', value: 1 }], 'DELETE'), /DELETE/);
  });

  it('deny drops a patch and lifts codes below 400 to 400 as the apiserver does', () => {
    const patched = withPatch(allow(request), [{ op: 'add', path: '/a', value: 1 }], 'CREATE');
    const denied = deny(patched, { code: 200, message: 'no' });
    assert.equal(denied.allowed, false);
    assert.equal(denied.patch, undefined);
    assert.equal(denied.status?.code, 400);
    assert.equal(deny(allow(request), { code: 403, message: 'no' }).status?.code, 403);
  });

  it('withWarnings drops empty, duplicate and control characters', () => {
    const response = withWarnings(allow(request), ['a', 'a', '', 'line\nbreak', '  ']);
    assert.deepEqual(response.warnings, ['a', 'line break']);
  });

  it('withAuditAnnotations rejects keys the apiserver would drop', () => {
    assert.deepEqual(withAuditAnnotations(allow(request), { 'policy.ok-1': 'x' }).auditAnnotations, { 'policy.ok-1': 'x' });
    assert.throws(() => withAuditAnnotations(allow(request), { 'has/slash': 'x' }));
    assert.throws(() => withAuditAnnotations(allow(request), { '-leading': 'x' }));
    assert.throws(() => withAuditAnnotations(allow(request), { ['a'.repeat(64)]: 'x' }));
  });

  it('intoReview keeps the request apiVersion', () => {
    assert.deepEqual(intoReview({ apiVersion: 'admission.k8s.io/v1beta1' }, allow(request)), {
      apiVersion: 'admission.k8s.io/v1beta1',
      kind: 'AdmissionReview',
      response: { uid: 'u-1', allowed: true },
    });
  });
});
