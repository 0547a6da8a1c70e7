import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createPlayground } from '../../../src/playground/engine.js';
import type { PlaygroundCase } from '../../../src/playground/engine.js';
import { policyTestCaseYaml } from '../../../src/playground/case-export.js';
import { viewOf } from '../../../src/playground/result-view.js';

const crds = readFileSync('manifests/crds/widgets.yaml', 'utf8');
const policy = (expression: string) => `apiVersion: portcullis.dev/v1alpha1
kind: AdmissionPolicy
metadata:
  name: small
spec:
  match:
    resources:
      - apiGroups: [demo.portcullis.dev]
        kinds: [Widget]
  rules:
    - name: replicas
      cel:
        expression: '${expression}'
        message: at most 3 replicas
        fieldPath: spec.replicas
`;
const widget = (replicas: number) => `apiVersion: demo.portcullis.dev/v1
kind: Widget
metadata: {name: w, namespace: default, labels: {team: web}}
spec: {image: nginx, replicas: ${replicas}}
`;
const base: PlaygroundCase = {
  crds, policies: policy('object.spec.replicas <= 3'), object: widget(1), oldObject: '', operation: '', endpoint: 'mutate',
  user: 'alice', groups: ['dev'], namespace: '', subResource: '', dryRun: false,
};

describe('playground engine', () => {
  it('admits a plain object with the schema defaults as a patch, built as a PolicyTest case would be', async () => {
    const outcome = await createPlayground().run(base);
    assert.equal(outcome.kind, 'admission');
    if (outcome.kind !== 'admission') return;
    assert.equal(outcome.request.operation, 'CREATE');
    assert.deepEqual(outcome.request.userInfo, { username: 'alice', groups: ['dev'] });
    assert.equal(outcome.request.resource.resource, 'widgets');
    const view = viewOf(outcome);
    assert.equal(view.verdict, 'allowed');
    assert.ok(view.patch.some((op) => op.path === '/spec/tier'), 'the tier default is patched in');
    assert.match(view.diff, /\+\s+tier: backend/);
  });

  it('denies with the policy message and the field, as kubectl prints it', async () => {
    const view = viewOf(await createPlayground().run({ ...base, object: widget(5) }));
    assert.equal(view.verdict, 'denied');
    assert.match(view.kubectl?.stderr ?? '', /^The Widget "w" is invalid: spec\.replicas: .*at most 3 replicas/);
  });

  it('places a CEL compile error on the line of the expression in the policy editor', async () => {
    const outcome = await createPlayground().run({ ...base, policies: policy('objct.spec.replicas <= 3') });
    assert.equal(outcome.kind, 'problem');
    if (outcome.kind !== 'problem') return;
    const [d] = outcome.diagnostics;
    assert.equal(d?.editor, 'policies');
    assert.equal(d?.line, 13, 'line of spec.rules[0].cel.expression');
    assert.match(d?.message ?? '', /^policies\.yaml: document 0: spec\.rules\[0\]\.cel\.expression/);
  });

  it('places a YAML error in the object editor at its line', async () => {
    const outcome = await createPlayground().run({ ...base, object: 'apiVersion: v1\nkind: [unclosed\n' });
    assert.equal(outcome.kind, 'problem');
    if (outcome.kind !== 'problem') return;
    assert.equal(outcome.diagnostics[0]?.editor, 'object');
    assert.ok((outcome.diagnostics[0]?.line ?? 0) >= 2);
    assert.match(outcome.diagnostics[0]?.message ?? '', /^object\.yaml: document 0: YAML syntax error/);
  });

  it('places a CRD schema the apiserver would refuse at the version schema in the CRD editor', async () => {
    const broken = crds.replace(/pattern: '([^']*)'/, "pattern: '(?=lookahead)'");
    assert.notEqual(broken, crds, 'the Widget CRD has a pattern to break');
    const outcome = await createPlayground().run({ ...base, crds: broken });
    assert.equal(outcome.kind, 'problem');
    if (outcome.kind !== 'problem') return;
    assert.equal(outcome.diagnostics[0]?.editor, 'crds');
    assert.match(outcome.diagnostics[0]?.message ?? '', /^crds\.yaml: document 0: spec\.versions\[0\]\.schema\.openAPIV3Schema/);
    assert.ok((outcome.diagnostics[0]?.line ?? 0) > 1);
  });

  it('refuses code converters, naming the field', async () => {
    const conversion = `apiVersion: portcullis.dev/v1alpha1
kind: Conversion
metadata: {name: c}
spec:
  group: demo.portcullis.dev
  kind: Widget
  hubVersion: v1
  versions:
    - name: v2
      module: ./convert.js
`;
    const outcome = await createPlayground().run({ ...base, policies: conversion });
    assert.equal(outcome.kind, 'problem');
    if (outcome.kind === 'problem') assert.match(outcome.diagnostics[0]?.message ?? '', /spec\.versions\[0\]\.module: code converters need a file system/);
  });

  it('turns a case into a PolicyTest case whose expectation is what the engine answered', async () => {
    const input = { ...base, object: widget(5) };
    const outcome = await createPlayground().run(input);
    assert.equal(outcome.kind, 'admission');
    if (outcome.kind !== 'admission') return;
    const text = policyTestCaseYaml(input, outcome, 'too many replicas');
    assert.match(text, /^- name: too many replicas\n/);
    assert.match(text, /allowed: false/);
    assert.match(text, /code: 422/);
    assert.match(text, /user: alice/);
  });
});
