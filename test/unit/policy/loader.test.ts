import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { compilePolicyDocuments, loadPolicies } from '../../../src/policy/loader.js';
import { LoadError } from '../../../src/kube/load-error.js';
import { parseYamlDocuments } from '../../../src/kube/yaml-documents.js';
import { cel, policy } from './helpers.js';

const compile = (yaml: string) => compilePolicyDocuments(parseYamlDocuments(yaml, 'p.yaml'), { cel });
const good = policy('ok', 'rules:\n  - name: r\n    metadata: {labels: {required: [{key: team}]}}');

function loadError(yaml: string): LoadError {
  try {
    compile(yaml);
  } catch (err) {
    assert.ok(err instanceof LoadError, `expected LoadError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the load to fail');
}

describe('policy loader', () => {
  it('compiles a valid policy', () => {
    assert.deepEqual(compile(good).policies.map((p) => p.name), ['ok']);
  });

  it('names file, document index and field for a schema violation', () => {
    const err = loadError(`${good}---\n${policy('bad', 'rules:\n  - name: r\n    action: Block\n    cel: {expression: "true"}')}`);
    assert.equal(err.file, 'p.yaml');
    assert.equal(err.documentIndex, 1);
    assert.equal(err.field, 'spec.rules[0].action');
    assert.match(err.message, /^p\.yaml: document 1: spec\.rules\[0\]\.action: must be one of: Deny, Warn, Audit$/);
  });

  it('reports unknown fields', () => {
    const err = loadError(policy('bad', 'rules:\n  - name: r\n    cel: {expresion: "true"}'));
    assert.equal(err.field, 'spec.rules[0].cel.expresion');
    assert.match(err.message, /unknown field/);
  });

  it('requires exactly one check per rule', () => {
    const err = loadError(policy('bad', 'rules:\n  - name: r\n    cel: {expression: "true"}\n    deleteProtection: {annotation: x}'));
    assert.equal(err.field, 'spec.rules[0]');
    assert.match(err.message, /exactly one of metadata, immutable, schema, cel, deleteProtection/);
  });

  it('rejects duplicate policy names across documents', () => {
    const err = loadError(`${good}---\n${good}`);
    assert.equal(err.field, 'metadata.name');
    assert.match(err.message, /duplicate policy name "ok"/);
  });

  it('rejects duplicate rule names in one policy', () => {
    const err = loadError(policy('bad', 'rules:\n  - name: r\n    cel: {expression: "true"}\n  - name: r\n    cel: {expression: "true"}'));
    assert.equal(err.field, 'spec.rules[1].name');
  });

  it('rejects a pattern RE2 cannot compile, naming the field', () => {
    const err = loadError(policy('bad', 'rules:\n  - name: r\n    metadata: {name: {pattern: "(?=x)"}}'));
    assert.equal(err.field, 'spec.rules[0].metadata.name.pattern');
  });

  it('rejects a namespace pattern RE2 cannot compile', () => {
    const err = loadError(policy('bad', 'rules:\n  - name: r\n    cel: {expression: "true"}', "resources: [{apiGroups: ['*'], kinds: ['*']}]\n    namespaces: {patterns: ['(a']}"));
    assert.equal(err.field, 'spec.match.namespaces.patterns[0]');
  });

  it('rejects a CEL expression that does not compile or is not boolean', () => {
    assert.equal(loadError(policy('bad', 'rules:\n  - name: r\n    cel: {expression: "object.spec +"}')).field, 'spec.rules[0].cel.expression');
    assert.match(loadError(policy('bad', 'rules:\n  - name: r\n    cel: {expression: "1 + 2"}')).message, /must evaluate to bool/);
    assert.equal(loadError(policy('bad', 'rules:\n  - name: r\n    cel: {expression: "true"}', "resources: [{apiGroups: ['*'], kinds: ['*']}]\n    condition: 'nope('")).field, 'spec.match.condition');
  });

  it('rejects a label selector whose In operator has no values', () => {
    const err = loadError(policy('bad', 'rules:\n  - name: r\n    cel: {expression: "true"}', "resources: [{apiGroups: ['*'], kinds: ['*']}]\n    objectSelector: {matchExpressions: [{key: env, operator: In}]}"));
    assert.equal(err.field, 'spec.match.objectSelector');
    assert.match(err.message, /matchExpressions\[0\]\.values: must be non-empty/);
  });

  it('rejects a bad field path', () => {
    assert.equal(loadError(policy('bad', 'rules:\n  - name: r\n    immutable: [{path: "spec..x"}]')).field, 'spec.rules[0].immutable[0].path');
  });

  it('rejects an audit key over 63 characters unless auditKey is set', () => {
    const long = 'a'.repeat(40);
    const err = loadError(policy(long, `rules:\n  - name: ${'b'.repeat(30)}\n    action: Audit\n    cel: {expression: "true"}`));
    assert.equal(err.field, 'spec.rules[0].auditKey');
    assert.doesNotThrow(() => compile(policy(long, `rules:\n  - name: ${'b'.repeat(30)}\n    action: Audit\n    auditKey: short\n    cel: {expression: "true"}`)));
  });

  it('rejects a kind it does not know, and skips the kinds of other components', () => {
    assert.match(loadError('apiVersion: portcullis.dev/v1alpha1\nkind: AdmisionPolicy\nmetadata: {name: x}\n').message, /unknown kind "AdmisionPolicy"/);
    const skipped = compile('kind: Conversion\nanything: goes\n---\nkind: ControllerBinding\nfoo: 1\n');
    assert.equal(skipped.policies.length, 0);
  });

  it('sets PolicyTest documents aside', () => {
    const result = compile(`${good}---\napiVersion: portcullis.dev/v1alpha1\nkind: PolicyTest\nmetadata: {name: t}\nspec: {cases: []}\n`);
    assert.equal(result.policies.length, 1);
    assert.equal(result.testSuites.length, 1);
  });

  it('skips the conversions/ and bindings/ folders of other components', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pcl-policies-'));
    try {
      await mkdir(path.join(dir, 'conversions'));
      await mkdir(path.join(dir, 'bindings'));
      await writeFile(path.join(dir, 'conversions', 'x.yaml'), 'kind: Whatever\n');
      await writeFile(path.join(dir, 'bindings', 'y.yaml'), 'not: a policy\n');
      await writeFile(path.join(dir, 'ok.yaml'), good);
      const loaded = await loadPolicies([dir], { cel });
      assert.deepEqual(loaded.policies.map((p) => p.name), ['ok']);
      assert.deepEqual(loaded.files, [path.join(dir, 'ok.yaml')]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails with the path for a missing policy folder', async () => {
    await assert.rejects(loadPolicies(['/nonexistent/policies'], { cel }), /\/nonexistent\/policies: cannot read/);
  });

  it('loads the shipped example policies', async () => {
    const loaded = await loadPolicies(['policies'], { cel });
    assert.ok(loaded.policies.length >= 8);
    assert.ok(loaded.testSuites.length >= 8);
  });
});
