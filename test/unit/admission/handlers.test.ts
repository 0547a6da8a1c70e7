import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMutateHandler, createValidateHandler } from '../../../src/admission/handlers.js';
import type { JsonObject } from '../../../src/kube/types.js';
import type { Seen } from './stub-stages.js';
import { chainOf, outcome, request, stubMutator, stubValidator } from './stub-stages.js';

const decodePatch = (patch: string | undefined): unknown => (patch === undefined ? undefined : JSON.parse(Buffer.from(patch, 'base64').toString('utf8')));
const setOwner = (object: JsonObject) => {
  (object['spec'] as JsonObject)['owner'] = 'team-a';
};

describe('validate handler', () => {
  it('runs every validator on the object as received and never patches', () => {
    const seen: Seen[] = [];
    const handler = createValidateHandler({ chain: chainOf([stubMutator('m', setOwner, outcome(), seen)], [stubValidator('a', outcome(), seen), stubValidator('b', outcome({ warnings: ['careful'] }), seen)]) });
    const req = request();
    const response = handler(req);
    assert.deepEqual(response, { uid: 'uid-1', allowed: true, warnings: ['careful'] });
    assert.deepEqual(seen.map((s) => s.stage), ['a', 'b'], 'mutators do not run on /validate');
    assert.deepEqual(seen[0]?.object, req.object);
  });

  it('reads the chain once per request, so a reload swaps the stages between requests', () => {
    let calls = 0;
    const handler = createValidateHandler({ chain: () => (calls++, { mutators: [], validators: [] }) });
    handler(request());
    handler(request());
    assert.equal(calls, 2);
  });
});

describe('mutate handler', () => {
  it('patches minimally from the object as received and validates the mutated object', () => {
    const seen: Seen[] = [];
    const handler = createMutateHandler({ chain: chainOf([stubMutator('m', setOwner, outcome({ warnings: ['defaulted'] }), seen)], [stubValidator('v', outcome(), seen)]) });
    const req = request();
    const response = handler(req);
    assert.equal(response.allowed, true);
    assert.equal(response.patchType, 'JSONPatch');
    assert.deepEqual(decodePatch(response.patch), [{ op: 'add', path: '/spec/owner', value: 'team-a' }]);
    assert.deepEqual(response.warnings, ['defaulted']);
    assert.deepEqual((seen[1]?.object?.['spec'] as JsonObject)['owner'], 'team-a', 'the validator sees the mutated object');
    assert.equal(((req.object as JsonObject)['spec'] as JsonObject)['owner'], undefined, 'the request object is not touched');
  });

  it('runs mutators in order on one working copy', () => {
    const seen: Seen[] = [];
    const second = (object: JsonObject) => {
      (object['spec'] as JsonObject)['size'] = 2;
    };
    const handler = createMutateHandler({ chain: chainOf([stubMutator('first', setOwner, outcome(), seen), stubMutator('second', second, outcome(), seen)], []) });
    const response = handler(request());
    assert.equal(((seen[1]?.object?.['spec'] as JsonObject) ?? {})['owner'], 'team-a', 'the second mutator sees the first one\'s change');
    assert.deepEqual(decodePatch(response.patch), [{ op: 'replace', path: '/spec/size', value: 2 }, { op: 'add', path: '/spec/owner', value: 'team-a' }]);
  });

  it('sends no patch when the mutated object is denied', () => {
    const seen: Seen[] = [];
    const handler = createMutateHandler({ chain: chainOf([stubMutator('m', setOwner, outcome(), seen)], [stubValidator('v', outcome({ violations: [{ kind: 'forbidden', message: 'no' }] }), seen)]) });
    const response = handler(request());
    assert.equal(response.allowed, false);
    assert.equal(response.patch, undefined);
    assert.equal(response.status?.code, 403);
  });

  it('sends no patch when nothing changed', () => {
    const handler = createMutateHandler({ chain: chainOf([stubMutator('m', () => undefined, outcome(), [])], []) });
    assert.deepEqual(handler(request()), { uid: 'uid-1', allowed: true });
  });

  for (const operation of ['DELETE', 'CONNECT'] as const) {
    it(`does not run mutators on ${operation}, only validators`, () => {
      const seen: Seen[] = [];
      const handler = createMutateHandler({ chain: chainOf([stubMutator('m', setOwner, outcome(), seen)], [stubValidator('v', outcome(), seen)]) });
      const object = operation === 'DELETE' ? null : { metadata: { name: 'w' } };
      const response = handler(request({ operation, object, oldObject: { metadata: { name: 'w' } } }));
      assert.deepEqual(seen.map((s) => s.stage), ['v']);
      assert.deepEqual(response, { uid: 'uid-1', allowed: true });
    });
  }
});
