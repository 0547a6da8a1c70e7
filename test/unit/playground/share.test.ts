import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deflateSync } from 'fflate';
import fc from 'fast-check';
import type { PlaygroundCase } from '../../../src/playground/engine.js';
import { decodeCase, encodeCase, MAX_SHARED_BYTES } from '../../../src/playground/share.js';

const arbitraryCase: fc.Arbitrary<PlaygroundCase> = fc.record({
  crds: fc.string({ unit: 'binary' }),
  policies: fc.string({ unit: 'binary' }),
  object: fc.string({ unit: 'binary' }),
  oldObject: fc.string(),
  operation: fc.constantFrom('', 'CREATE', 'UPDATE', 'DELETE'),
  endpoint: fc.constantFrom('mutate', 'validate'),
  user: fc.string(),
  groups: fc.array(fc.string()),
  namespace: fc.string(),
  subResource: fc.string(),
  dryRun: fc.boolean(),
});

describe('shared links', () => {
  it('decode to the case that was encoded, for any text', () => {
    fc.assert(fc.property(arbitraryCase, (input) => assert.deepEqual(decodeCase(encodeCase(input)), { ...input })));
  });

  it('are URL-safe', () => {
    fc.assert(fc.property(arbitraryCase, (input) => assert.match(encodeCase(input), /^1\.[A-Za-z0-9_-]*$/)));
  });

  it('refuse a foreign version, broken data and a deflate bomb with a message about the link', () => {
    assert.throws(() => decodeCase('9.abc'), /shared link: unknown format "9"/);
    assert.throws(() => decodeCase('1.!!!'), /shared link: cannot be read/);
    const bomb = Buffer.from(deflateSync(new Uint8Array(MAX_SHARED_BYTES + 1))).toString('base64url');
    assert.throws(() => decodeCase(`1.${bomb}`), /inflates to more than/);
    const wrong = Buffer.from(deflateSync(Buffer.from(JSON.stringify([1, 2, 3])))).toString('base64url');
    assert.throws(() => decodeCase(`1.${wrong}`), /not a playground case/);
  });
});
