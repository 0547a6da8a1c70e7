import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseAdmissionReview } from '../../../src/admission/parse-review.js';
import { BadReviewError } from '../../../src/kube/errors.js';
import type { JsonValue } from '../../../src/kube/types.js';

const fixture = (name: string): JsonValue => JSON.parse(readFileSync(new URL(`../../fixtures/admission/${name}`, import.meta.url), 'utf8')) as JsonValue;

describe('parseAdmissionReview', () => {
  it('accepts v1 and v1beta1 fixtures', () => {
    assert.equal(parseAdmissionReview(fixture('widget-create-valid.json')).apiVersion, 'admission.k8s.io/v1');
    assert.equal(parseAdmissionReview(fixture('widget-create-v1beta1.json')).apiVersion, 'admission.k8s.io/v1beta1');
  });

  it('keeps object null on DELETE', () => {
    assert.equal(parseAdmissionReview(fixture('widget-delete.json')).request.object, null);
  });

  const cases: [string, JsonValue, RegExp][] = [
    ['an array body', [], /body must be a JSON object, got an array/],
    ['a string body', 'x', /body must be a JSON object/],
    ['an unknown apiVersion', { apiVersion: 'admission.k8s.io/v2', kind: 'AdmissionReview', request: {} }, /apiVersion must be one of/],
    ['a wrong kind', { apiVersion: 'admission.k8s.io/v1', kind: 'ConversionReview', request: {} }, /kind must be AdmissionReview/],
    ['a missing request', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }, /request must be an object, got nothing/],
    ['a null request', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: null }, /request must be an object, got null/],
    ['a missing uid', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { kind: { group: '', version: 'v1', kind: 'X' }, operation: 'CREATE', object: {} } }, /request.uid/],
    ['an object that is an array', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u', kind: { group: '', version: 'v1', kind: 'X' }, operation: 'CREATE', object: [] } }, /request.object must be an object or null, got an array/],
    ['an unknown operation', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u', kind: { group: '', version: 'v1', kind: 'X' }, operation: 'PATCH', object: {} } }, /request.operation/],
    ['a CREATE without object', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u', kind: { group: '', version: 'v1', kind: 'X' }, operation: 'CREATE' } }, /request.object must be an object for CREATE/],
  ];
  for (const [name, body, message] of cases) {
    it(`rejects ${name} with a message naming the field`, () => {
      assert.throws(() => parseAdmissionReview(body), (err: unknown) => err instanceof BadReviewError && message.test(err.message) && err.httpStatus === 400);
    });
  }
});
