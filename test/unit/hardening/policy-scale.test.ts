import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compilePolicyDocuments } from '../../../src/policy/loader.js';
import { createPolicyEngine } from '../../../src/policy/policy-engine.js';
import { createPolicyIndex } from '../../../src/policy/policy-index.js';
import { parseYamlDocuments } from '../../../src/kube/yaml-documents.js';
import { cel, policy, requestFor } from '../policy/helpers.js';

/*
 * Policy scale: a review costs the policies that can apply to its kind and
 * namespace, not the number loaded. Policies of one kind limited to named
 * namespaces are filed under each name.
 */

const RULE = 'rules:\n  - name: r\n    cel: {expression: "false"}\n    message: denied by NAME';
const WIDGETS = 'resources: [{apiGroups: [demo.portcullis.dev], kinds: [Widget]}]';

function compile(yaml: string[]) {
  return compilePolicyDocuments(parseYamlDocuments(yaml.join('---\n'), 'scale.yaml'), { cel }).policies;
}

describe('policies limited to named namespaces', () => {
  const policies = compile([
    policy('everywhere', RULE.replace('NAME', 'everywhere')),
    ...Array.from({ length: 300 }, (_, i) => policy(`team-${i}`, RULE.replace('NAME', `team-${i}`), `${WIDGETS}\n    namespaces: {names: [team-${i}, shared]}`)),
    policy('pattern', RULE.replace('NAME', 'pattern'), `${WIDGETS}\n    namespaces: {patterns: ['^team-1']}`),
  ]);
  const index = createPolicyIndex(policies);

  it('are candidates only in their namespaces; unrestricted and pattern-limited ones everywhere', () => {
    assert.deepEqual(index.candidates(requestFor({ namespace: 'team-7' })).map((p) => p.name), ['everywhere', 'team-7', 'pattern']);
    assert.deepEqual(index.candidates(requestFor({ namespace: 'nobody' })).map((p) => p.name), ['everywhere', 'pattern']);
  });

  it('keep load order when a namespace collects many of them', () => {
    const names = index.candidates(requestFor({ namespace: 'shared' })).map((p) => p.name);
    assert.equal(names.length, 302);
    assert.deepEqual(names.slice(0, 3), ['everywhere', 'team-0', 'team-1']);
    assert.equal(names.at(-1), 'pattern');
  });

  it('are all candidates for a request without a namespace, which namespaces do not filter', () => {
    assert.equal(index.candidates(requestFor({ namespace: undefined })).length, 302);
  });

  it('deny exactly as matching every policy would', () => {
    const engine = createPolicyEngine(policies);
    const denials = (namespace: string) =>
      engine
        .validate(requestFor({ namespace }), requestFor({ namespace }).object)
        .violations.map((v) => v.policy)
        .sort();
    assert.deepEqual(denials('team-12'), ['everywhere', 'pattern', 'team-12']);
    assert.deepEqual(denials('other'), ['everywhere']);
  });
});
