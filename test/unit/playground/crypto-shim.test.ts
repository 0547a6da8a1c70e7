import assert from 'node:assert/strict';
import { createHash as nodeHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createHash } from '../../../src/playground/browser/crypto-shim.js';

describe('the playground crypto shim', () => {
  it('hashes as node:crypto does, in every encoding the engine uses', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.constantFrom('hex', 'base64', 'base64url' as const), (text, encoding) => {
        assert.equal(createHash('sha256').update(text).digest(encoding), nodeHash('sha256').update(text).digest(encoding));
      }),
    );
  });

  it('refuses other algorithms by name', () => {
    assert.throws(() => createHash('md5'), /only sha256 is available, not md5/);
  });
});
