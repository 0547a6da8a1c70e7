import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compilePolicyDocuments } from '../../../src/policy/loader.js';
import { createPolicyIndex } from '../../../src/policy/policy-index.js';
import { parseYamlDocuments } from '../../../src/kube/yaml-documents.js';
import { cel, policy, requestFor } from './helpers.js';

const RULE = 'rules:\n  - name: r\n    cel: {expression: "true"}';

describe('policy index', () => {
  const yaml = [
    policy('widgets', RULE),
    policy('gadgets', RULE, 'resources: [{apiGroups: [demo.portcullis.dev], kinds: [GadgetClass]}]'),
    policy('by-resource', RULE, 'resources: [{apiGroups: [demo.portcullis.dev], resources: [widgets]}]'),
    policy('everything', RULE, "resources: [{apiGroups: ['*'], kinds: ['*']}]"),
    policy('other-group', RULE, 'resources: [{apiGroups: [other.dev], kinds: [Widget]}]'),
  ].join('---\n');
  const { policies } = compilePolicyDocuments(parseYamlDocuments(yaml, 'x.yaml'), { cel });
  const index = createPolicyIndex(policies);

  it('returns the policies of the request kind and resource plus wildcard ones, in load order', () => {
    assert.deepEqual(index.candidates(requestFor()).map((p) => p.name), ['widgets', 'by-resource', 'everything']);
  });

  it('returns only wildcard policies for an unknown kind', () => {
    const request = requestFor({ kind: { group: 'x.dev', version: 'v1', kind: 'Thing' }, resource: { group: 'x.dev', version: 'v1', resource: 'things' } });
    assert.deepEqual(index.candidates(request).map((p) => p.name), ['everything']);
  });

  it('counts every policy', () => {
    assert.equal(index.size, 5);
  });
});
