import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { POLICY_JSON_SCHEMA } from '../../../src/policy/policy-schema.js';
import { POLICY_TEST_JSON_SCHEMA } from '../../../src/policy/test-suite-schema.js';
import { checkExpectation } from '../../../src/policy/test-expect.js';
import type { CaseResult } from '../../../src/policy/test-expect.js';
import { parsePolicyTestSuite } from '../../../src/policy/test-suite.js';
import { LoadError } from '../../../src/kube/load-error.js';
import { parseYamlDocuments } from '../../../src/kube/yaml-documents.js';

const suite = (cases: string) => parseYamlDocuments(`apiVersion: portcullis.dev/v1alpha1\nkind: PolicyTest\nmetadata: {name: s}\nspec:\n  cases:\n${cases}`, 's.yaml')[0]!;
const resolve = () => 'widgets';

describe('policy test suites', () => {
  it('builds a CREATE request from a bare object with user shortcuts', () => {
    const [c] = parsePolicyTestSuite(suite('    - name: c\n      user: ann\n      groups: [devs]\n      object: {apiVersion: demo.portcullis.dev/v1, kind: Widget, metadata: {name: w, namespace: team-a}}\n      expect: {allowed: true}'), resolve);
    assert.equal(c!.request.operation, 'CREATE');
    assert.deepEqual(c!.request.kind, { group: 'demo.portcullis.dev', version: 'v1', kind: 'Widget' });
    assert.equal(c!.request.resource.resource, 'widgets');
    assert.equal(c!.request.namespace, 'team-a');
    assert.equal(c!.request.name, 'w');
    assert.deepEqual(c!.request.userInfo, { username: 'ann', groups: ['devs'] });
    assert.equal(c!.request.oldObject, null);
  });

  it('infers UPDATE and DELETE from the objects given', () => {
    const obj = '{apiVersion: v1, kind: ConfigMap, metadata: {name: c}}';
    const cases = parsePolicyTestSuite(suite(`    - name: u\n      object: ${obj}\n      oldObject: ${obj}\n      expect: {allowed: true}\n    - name: d\n      oldObject: ${obj}\n      expect: {allowed: true}`), resolve);
    assert.deepEqual(cases.map((c) => c.request.operation), ['UPDATE', 'DELETE']);
    assert.equal(cases[1]!.request.object, null);
    assert.equal(cases[0]!.request.kind.group, '');
  });

  it('takes a full AdmissionReview as it is', () => {
    const [c] = parsePolicyTestSuite(suite('    - name: r\n      review: {apiVersion: admission.k8s.io/v1, kind: AdmissionReview, request: {uid: abc, operation: CONNECT, kind: {group: "", version: v1, kind: Pod}, resource: {group: "", version: v1, resource: pods}, userInfo: {}}}\n      expect: {allowed: true}'), resolve);
    assert.equal(c!.request.uid, 'abc');
    assert.equal(c!.request.operation, 'CONNECT');
  });

  it('rejects a case without any object, naming the field', () => {
    assert.throws(() => parsePolicyTestSuite(suite('    - name: c\n      expect: {allowed: true}'), resolve), (err: unknown) => err instanceof LoadError && /spec\.cases\[0\]/.test(err.message));
  });

  it('rejects unknown expectation fields', () => {
    assert.throws(() => parsePolicyTestSuite(suite('    - name: c\n      object: {apiVersion: v1, kind: X}\n      expect: {allowed: true, alowed: false}'), resolve), /spec\.cases\[0\]\.expect\.alowed: unknown field/);
  });
});

describe('test expectations', () => {
  const result: CaseResult = { allowed: false, code: 422, reason: 'Invalid', message: 'Widget "w" is invalid: spec.x: Required value', warnings: ['w1'], auditAnnotations: { k: 'v' }, patch: [], object: null, matched: [], decisions: {} };

  it('passes when everything given matches, with the message as an RE2 pattern', () => {
    assert.deepEqual(checkExpectation({ allowed: false, code: 422, reason: 'Invalid', message: 'spec\\.x: Required', warnings: ['w1'], auditAnnotations: { k: 'v' }, patch: [] }, result), []);
  });

  it('lists every mismatch', () => {
    const failures = checkExpectation({ allowed: true, code: 403, message: '^nope', warnings: [], patch: [{ op: 'add' }] }, result);
    assert.equal(failures.length, 5);
    assert.match(failures[0]!, /^allowed: expected true, got false/);
  });
});

describe('policy JSON Schema document', () => {
  it('docs/policy.schema.json is the schema the loader enforces', async () => {
    const published = JSON.parse(await readFile('docs/policy.schema.json', 'utf8')) as unknown;
    assert.deepEqual(published, JSON.parse(JSON.stringify(POLICY_JSON_SCHEMA)));
  });

  it('docs/policy-test.schema.json is the schema test suites are checked against', async () => {
    const published = JSON.parse(await readFile('docs/policy-test.schema.json', 'utf8')) as unknown;
    assert.deepEqual(published, JSON.parse(JSON.stringify(POLICY_TEST_JSON_SCHEMA)));
  });
});
