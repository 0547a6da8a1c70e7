import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide, objectName } from '../../../src/admission/decide.js';
import { outcome, request } from './stub-stages.js';

describe('decide', () => {
  it('allows with nothing else when no stage found anything', () => {
    assert.deepEqual(decide(request(), [outcome(), outcome()]), { uid: 'uid-1', allowed: true });
  });

  it('allows with the warnings and audit annotations of every stage', () => {
    const response = decide(request(), [outcome({ warnings: ['a'], auditAnnotations: { x: '1' } }), outcome({ warnings: ['b', 'a'], auditAnnotations: { y: '2' } })]);
    assert.deepEqual(response, { uid: 'uid-1', allowed: true, warnings: ['a', 'b'], auditAnnotations: { x: '1', y: '2' } });
  });

  it('denies field violations with 422 Invalid, one cause per field, in the apiserver wording', () => {
    const response = decide(request(), [
      outcome({ violations: [{ kind: 'field', error: { type: 'Required', field: 'spec.owner' } }] }),
      outcome({ violations: [{ kind: 'field', error: { type: 'Invalid', field: 'spec.size', badValue: 1, detail: 'must be even' } }] }),
    ]);
    assert.equal(response.allowed, false);
    assert.deepEqual(response.status, {
      metadata: {},
      status: 'Failure',
      code: 422,
      reason: 'Invalid',
      message: 'Widget.example.com "w" is invalid: [spec.owner: Required value, spec.size: Invalid value: 1: must be even]',
      details: {
        name: 'w',
        group: 'example.com',
        kind: 'Widget',
        causes: [
          { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.owner' },
          { reason: 'FieldValueInvalid', message: 'Invalid value: 1: must be even', field: 'spec.size' },
        ],
      },
    });
  });

  it('denies with 403 Forbidden naming the resource when any violation is forbidden, keeping field causes', () => {
    const response = decide(request(), [
      outcome({ violations: [{ kind: 'field', error: { type: 'Required', field: 'spec.owner' } }] }),
      outcome({ violations: [{ kind: 'forbidden', message: 'deletion is not allowed' }] }),
    ]);
    assert.equal(response.status?.code, 403);
    assert.equal(response.status?.reason, 'Forbidden');
    assert.equal(response.status?.message, 'widgets.example.com "w" is forbidden: [deletion is not allowed, spec.owner: Required value]');
    assert.deepEqual(response.status?.details, { name: 'w', group: 'example.com', kind: 'widgets', causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.owner' }] });
  });

  it('names core kinds without a group and says when errors were cut', () => {
    const core = request({ kind: { group: '', version: 'v1', kind: 'ConfigMap' }, resource: { group: '', version: 'v1', resource: 'configmaps' } });
    const response = decide(core, [outcome({ violations: [{ kind: 'field', error: { type: 'Required', field: 'data' } }], truncated: true })]);
    assert.equal(response.status?.message, 'ConfigMap "w" is invalid: [data: Required value, too many errors, only the first ones are reported]');
  });

  it('keeps the warnings of a denied request but never a patch', () => {
    const response = decide(request(), [outcome({ warnings: ['w1'], violations: [{ kind: 'forbidden', message: 'no' }] })]);
    assert.deepEqual(response.warnings, ['w1']);
    assert.equal(response.patch, undefined);
  });

  it('names the object by object, old object, then request name', () => {
    assert.equal(objectName(request()), 'w');
    assert.equal(objectName(request({ operation: 'DELETE', object: null, oldObject: { metadata: { name: 'old' } } })), 'old');
    assert.equal(objectName(request({ object: { metadata: { generateName: 'g-' } }, name: 'from-request' })), 'from-request');
    assert.equal(objectName(request({ object: { metadata: 'bad' }, name: undefined })), '');
  });
});
