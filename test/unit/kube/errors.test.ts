import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadBodyError, BadReviewError, BodyTooLargeError, ERROR_CODES, UnsupportedMediaTypeError } from '../../../src/kube/errors.js';

describe('coded errors', () => {
  it('every error code is unique and listed', () => {
    const made = [new BadReviewError('x'), new BadBodyError('x'), new UnsupportedMediaTypeError('x'), new BodyTooLargeError(1)].map((e) => e.code);
    assert.equal(new Set(ERROR_CODES).size, ERROR_CODES.length);
    assert.deepEqual([...made].sort(), [...ERROR_CODES].sort());
  });

  it('maps each error to the HTTP status of our bad-input convention', () => {
    assert.equal(new BadReviewError('x').httpStatus, 400);
    assert.equal(new BadBodyError('x').httpStatus, 400);
    assert.equal(new UnsupportedMediaTypeError('x').httpStatus, 415);
    assert.equal(new BodyTooLargeError(1).httpStatus, 413);
  });
});
