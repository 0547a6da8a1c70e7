import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileDefaulter } from '../../../src/schema/defaulting.js';
import type { Schema } from '../../../src/schema/structural.js';
import type { JsonObject } from '../../../src/kube/types.js';

const schema: Schema = {
  type: 'object',
  properties: {
    metadata: { type: 'object', properties: { name: { type: 'string', default: 'never' } } },
    spec: {
      type: 'object',
      default: {},
      properties: {
        replicas: { type: 'integer', default: 1 },
        tier: { type: 'string', default: 'backend' },
        notes: { type: 'string', nullable: true, default: 'n' },
        resources: { type: 'object', default: {}, properties: { cpu: { type: 'string', default: '100m' } } },
        hooks: { type: 'array', items: { type: 'object', properties: { timeout: { type: 'integer', default: 5 } } } },
        labels: { type: 'object', additionalProperties: { type: 'object', properties: { v: { type: 'string', default: 'x' } } } },
        list: { type: 'array', default: ['a'], items: { type: 'string' } },
      },
    },
  },
};

const defaulter = compileDefaulter(schema);
const run = (object: JsonObject): JsonObject => {
  const copy = structuredClone(object);
  defaulter?.(copy);
  return copy;
};

describe('structural defaulting', () => {
  it('fills absent fields and recurses into defaults just applied', () => {
    assert.deepEqual(run({ metadata: {} }), {
      metadata: {},
      spec: { replicas: 1, tier: 'backend', notes: 'n', resources: { cpu: '100m' }, list: ['a'] },
    });
  });

  it('never touches metadata, present values or unknown fields', () => {
    const out = run({ metadata: {}, spec: { replicas: 0, tier: '', unknown: { a: 1 }, resources: { cpu: '2' } } });
    assert.deepEqual(out['spec'], { replicas: 0, tier: '', unknown: { a: 1 }, resources: { cpu: '2' }, notes: 'n', list: ['a'] });
    assert.deepEqual(out['metadata'], {});
  });

  it('replaces null only where null is not allowed', () => {
    const out = run({ spec: { replicas: null, notes: null } });
    assert.equal((out['spec'] as JsonObject)['replicas'], 1);
    assert.equal((out['spec'] as JsonObject)['notes'], null);
  });

  it('defaults inside array items and map values', () => {
    const out = run({ spec: { hooks: [{}, { timeout: 9 }], labels: { a: {} } } });
    assert.deepEqual((out['spec'] as JsonObject)['hooks'], [{ timeout: 5 }, { timeout: 9 }]);
    assert.deepEqual((out['spec'] as JsonObject)['labels'], { a: { v: 'x' } });
  });

  it('deep-copies defaults so objects never share them', () => {
    const a = run({});
    const b = run({});
    ((a['spec'] as JsonObject)['list'] as string[]).push('mutated');
    assert.deepEqual((b['spec'] as JsonObject)['list'], ['a']);
  });

  it('is idempotent', () => {
    const once = run({ spec: { hooks: [{}] } });
    assert.deepEqual(run(once), once);
  });

  it('compiles to nothing when the schema has no defaults', () => {
    assert.equal(compileDefaulter({ type: 'object', properties: { a: { type: 'string' } } }), null);
  });
});
