import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseConversionReview } from '../../../src/conversion/parse-review.js';
import { conversionResponseFor, intoConversionReview } from '../../../src/conversion/response.js';
import { BadReviewError } from '../../../src/kube/errors.js';
import type { JsonValue } from '../../../src/kube/types.js';

const object = { apiVersion: 'example.com/v1beta1', kind: 'CronTab', metadata: { name: 'a' } };
const review = (request: JsonValue, apiVersion: JsonValue = 'apiextensions.k8s.io/v1'): JsonValue => ({ apiVersion, kind: 'ConversionReview', request });
const good = { uid: 'u-1', desiredAPIVersion: 'example.com/v1', objects: [object] };

describe('parseConversionReview', () => {
  test('accepts v1 and v1beta1 reviews and keeps their apiVersion', () => {
    for (const apiVersion of ['apiextensions.k8s.io/v1', 'apiextensions.k8s.io/v1beta1']) {
      const parsed = parseConversionReview(review(good, apiVersion));
      assert.equal(parsed.apiVersion, apiVersion);
      assert.deepEqual(parsed.request, good);
    }
  });

  test('ignores the empty stub response the apiserver may send', () => {
    const parsed = parseConversionReview({ ...(review(good) as object), response: { uid: '', result: {}, convertedObjects: null } } as JsonValue);
    assert.deepEqual(parsed.request, good);
  });

  test('accepts an empty object list', () => {
    assert.deepEqual(parseConversionReview(review({ ...good, objects: [] })).request.objects, []);
  });

  const bad: Array<[string, JsonValue, RegExp]> = [
    ['a body that is not an object', [1, 2], /^body must be a JSON object, got an array$/],
    ['an unknown apiVersion', review(good, 'admission.k8s.io/v1'), /^apiVersion must be one of apiextensions.k8s.io\/v1, apiextensions.k8s.io\/v1beta1, got "admission.k8s.io\/v1"$/],
    ['another kind', { ...(review(good) as object), kind: 'AdmissionReview' } as JsonValue, /^kind must be ConversionReview, got "AdmissionReview"$/],
    ['a missing request', { apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview' }, /^request must be an object, got nothing$/],
    ['an empty uid', review({ ...good, uid: '' }), /^request.uid must be a non-empty string, got ""$/],
    ['a desiredAPIVersion without a group', review({ ...good, desiredAPIVersion: 'v1' }), /^request.desiredAPIVersion must be "group\/version", got "v1"$/],
    ['objects that are not a list', review({ ...good, objects: {} }), /^request.objects must be an array, got an object$/],
    ['an object that is not an object', review({ ...good, objects: [object, 'x'] }), /^request.objects\[1\] must be an object, got "x"$/],
    ['an object without apiVersion', review({ ...good, objects: [{ kind: 'CronTab', metadata: {} }] }), /^request.objects\[0\].apiVersion must be a non-empty string, got nothing$/],
    ['an object without kind', review({ ...good, objects: [{ apiVersion: 'example.com/v1', metadata: {} }] }), /^request.objects\[0\].kind must be a non-empty string, got nothing$/],
    ['an object without metadata', review({ ...good, objects: [{ apiVersion: 'example.com/v1', kind: 'CronTab' }] }), /^request.objects\[0\].metadata must be an object, got nothing$/],
  ];
  for (const [name, body, message] of bad) {
    test(`rejects ${name} with BadReviewError (HTTP 400) naming the field`, () => {
      assert.throws(() => parseConversionReview(body), (err: unknown) => {
        assert.ok(err instanceof BadReviewError);
        assert.equal(err.httpStatus, 400);
        assert.match(err.message, message);
        return true;
      });
    });
  }
});

describe('conversionResponseFor', () => {
  const request = { uid: 'u-9', desiredAPIVersion: 'example.com/v1', objects: [object, object] };

  test('success echoes the uid and carries the objects with result Success', () => {
    const converted = [{ ...object, apiVersion: 'example.com/v1' }, { ...object, apiVersion: 'example.com/v1' }];
    assert.deepEqual(conversionResponseFor(request).success(converted), { uid: 'u-9', result: { status: 'Success' }, convertedObjects: converted });
  });

  test('success refuses a different object count, which the apiserver would reject', () => {
    assert.throws(() => conversionResponseFor(request).success([object]), /1 objects for a request of 2/);
  });

  test('failure echoes the uid, says Failure with the message and carries no objects', () => {
    assert.deepEqual(conversionResponseFor(request).failure('ns/a: hostPort: bad'), {
      uid: 'u-9',
      result: { status: 'Failure', message: 'ns/a: hostPort: bad' },
      convertedObjects: [],
    });
  });

  test('intoConversionReview answers in the apiVersion of the request', () => {
    const response = conversionResponseFor(request).failure('x');
    for (const apiVersion of ['apiextensions.k8s.io/v1', 'apiextensions.k8s.io/v1beta1'] as const) {
      assert.deepEqual(intoConversionReview({ apiVersion }, response), { apiVersion, kind: 'ConversionReview', response });
    }
  });
});
