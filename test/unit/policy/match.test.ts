import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { engineFrom, policy, requestFor, widget } from './helpers.js';

// A policy that denies everything it matches, so "matched" == "denied".
const denyAll = (match: string) => engineFrom(policy('p', 'rules:\n  - name: r\n    cel: {expression: "false", message: matched, operations: ["*"]}', match));
const matched = (match: string, overrides: Parameters<typeof requestFor>[0] = {}) => denyAll(match).validate(requestFor(overrides), requestFor(overrides).object).violations.length > 0;
const WIDGETS = 'resources: [{apiGroups: [demo.portcullis.dev], kinds: [Widget]}]';

describe('policy matching', () => {
  it('matches group and kind, with wildcards', () => {
    assert.equal(matched(WIDGETS), true);
    assert.equal(matched('resources: [{apiGroups: [demo.portcullis.dev], kinds: [GadgetClass]}]'), false);
    assert.equal(matched("resources: [{apiGroups: ['*'], kinds: [Widget]}]"), true);
    assert.equal(matched("resources: [{apiGroups: [demo.portcullis.dev], kinds: ['*']}]"), true);
    assert.equal(matched('resources: [{apiGroups: [other.dev], kinds: [Widget]}]'), false);
  });

  it('matches versions and resources', () => {
    assert.equal(matched('resources: [{apiGroups: [demo.portcullis.dev], apiVersions: [v2], kinds: [Widget]}]'), false);
    assert.equal(matched('resources: [{apiGroups: [demo.portcullis.dev], resources: [widgets]}]'), true);
    assert.equal(matched('resources: [{apiGroups: [demo.portcullis.dev], resources: [gadgets]}]'), false);
  });

  it('matches operations; CREATE and UPDATE by default', () => {
    assert.equal(matched(WIDGETS, { operation: 'DELETE' }), false);
    assert.equal(matched(`${WIDGETS}\n    operations: [DELETE]`, { operation: 'DELETE' }), true);
    assert.equal(matched(`${WIDGETS}\n    operations: ['*']`, { operation: 'CONNECT' }), true);
  });

  it('matches only the main resource unless subresources are listed', () => {
    assert.equal(matched(WIDGETS, { operation: 'UPDATE', subResource: 'status' }), false);
    assert.equal(matched(`${WIDGETS}\n    subresources: [status]`, { operation: 'UPDATE', subResource: 'status' }), true);
    assert.equal(matched(`${WIDGETS}\n    subresources: ['*']`, { operation: 'UPDATE', subResource: 'scale' }), true);
  });

  it('matches namespaces by name and RE2 pattern, with exclusions', () => {
    const ns = `${WIDGETS}\n    namespaces: {names: [default], patterns: ['^team-']}`;
    assert.equal(matched(ns, { namespace: 'default' }), true);
    assert.equal(matched(ns, { namespace: 'team-a' }), true);
    assert.equal(matched(ns, { namespace: 'my-team-a' }), false);
    const excluded = `${WIDGETS}\n    excludeNamespaces: {patterns: ['^kube-']}`;
    assert.equal(matched(excluded, { namespace: 'kube-system' }), false);
    assert.equal(matched(excluded, { namespace: 'default' }), true);
  });

  it('does not filter cluster-scoped requests by namespace', () => {
    assert.equal(matched(`${WIDGETS}\n    namespaces: {names: [default]}`, { namespace: undefined }), true);
  });

  it('matches the object label selector, on the old object for DELETE', () => {
    const sel = `${WIDGETS}\n    objectSelector: {matchLabels: {env: prod}, matchExpressions: [{key: tier, operator: NotIn, values: [test]}]}`;
    assert.equal(matched(sel, { object: widget({ labels: { env: 'prod' } }) }), true);
    assert.equal(matched(sel, { object: widget({ labels: { env: 'prod', tier: 'test' } }) }), false);
    assert.equal(matched(sel, { object: widget({ labels: { env: 'dev' } }) }), false);
    assert.equal(matched(`${sel}\n    operations: [DELETE]`, { operation: 'DELETE', oldObject: widget({ labels: { env: 'prod' } }) }), true);
  });

  it('matches users and groups, and exempts excluded ones', () => {
    const only = `${WIDGETS}\n    users: {usernames: [ann], groups: [devs]}`;
    assert.equal(matched(only, { userInfo: { username: 'ann' } }), true);
    assert.equal(matched(only, { userInfo: { username: 'bob', groups: ['devs'] } }), true);
    assert.equal(matched(only, { userInfo: { username: 'bob' } }), false);
    const exempt = `${WIDGETS}\n    excludeUsers: {usernames: ['system:serviceaccount:ci:deployer'], groups: ['system:masters']}`;
    assert.equal(matched(exempt, { userInfo: { username: 'admin', groups: ['system:masters'] } }), false);
    assert.equal(matched(exempt, { userInfo: { username: 'system:serviceaccount:ci:deployer' } }), false);
    assert.equal(matched(exempt, { userInfo: { username: 'bob' } }), true);
  });

  it('applies a CEL match condition, failing closed on an evaluation error', () => {
    const cond = `${WIDGETS}\n    condition: 'object.spec.image.startsWith("nginx")'`;
    assert.equal(matched(cond, { object: widget({}, { image: 'nginx:1' }) }), true);
    assert.equal(matched(cond, { object: widget({}, { image: 'redis:7' }) }), false);
    assert.equal(matched(cond, { object: widget({}, {}) }), true, 'missing key: the policy applies');
  });
});
