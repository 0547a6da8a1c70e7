import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { portcullis, tempTree } from './support/cli.js';

/*
 * `portcullis test` run as a user runs it: the built binary, in a folder of
 * its own, with the shipped CRDs and policies or small trees written here.
 */

const POLICY = `apiVersion: portcullis.dev/v1alpha1
kind: AdmissionPolicy
metadata: {name: team}
spec:
  match:
    resources: [{apiGroups: [demo.portcullis.dev], kinds: [Widget]}]
  rules:
    - name: team-label
      metadata: {labels: {required: [{key: team}]}}
`;

const WIDGET = '{apiVersion: demo.portcullis.dev/v1, kind: Widget, metadata: {name: w, namespace: default}, spec: {image: nginx}}';

const suite = (cases: string, extra = '') => `apiVersion: portcullis.dev/v1alpha1
kind: PolicyTest
metadata: {name: team}
spec:
${extra}  cases:
${cases}`;

describe('portcullis test (built binary)', () => {
  it('runs the shipped suites with what serve loads and says what it loaded', () => {
    const res = portcullis(['test']);
    assert.equal(res.status, 0, res.stdout + res.stderr);
    assert.match(res.stderr, /^loaded \d+ policies, \d+ CRDs, \d+ conversions$/m);
    assert.match(res.stdout, /^\d+ passed, 0 failed, 0 skipped$/m);
  });

  it('checks the ControllerBindings as the controller does: the shipped ones pass, one whose filter does not compile fails the run', async () => {
    const shipped = portcullis(['test']);
    assert.match(shipped.stderr, /^checked 1 bindings in policies\/bindings$/m);
    const binding = (await import('node:fs')).readFileSync('policies/bindings/loadbalancer-claims.yaml', 'utf8');
    const broken = binding.replace("object.spec.type == 'LoadBalancer'", "objct.spec.type == 'LoadBalancer'");
    assert.notEqual(broken, binding, 'the shipped binding has the filter this test breaks');
    const tree = tempTree({ 'bindings/claims.yaml': broken });
    try {
      const res = portcullis(['test', '--bindings', `${tree.dir}/bindings`]);
      assert.equal(res.status, 2, res.stdout + res.stderr);
      assert.match(res.stderr, /claims\.yaml: binding [a-z-]+: spec\.filter\.cel: .*objct/);
      const missing = portcullis(['test', '--bindings', `${tree.dir}/nope`]);
      assert.equal(missing.status, 2);
      assert.match(missing.stderr, /--bindings .*nope: no such folder/);
    } finally {
      tree.cleanup();
    }
  });

  it('fails when no suite is found', () => {
    const tree = tempTree({ 'empty/readme.yaml': 'a: 1\n' });
    try {
      const res = portcullis(['test', `${tree.dir}/empty`]);
      assert.equal(res.status, 1);
      assert.match(res.stdout, /FAIL no PolicyTest suite found under/);
    } finally {
      tree.cleanup();
    }
  });

  describe('on a tree of its own', () => {
    let tree: ReturnType<typeof tempTree>;
    before(() => {
      tree = tempTree({
        'policies/team.yaml': POLICY,
        'policies/tests/ok.test.yaml': suite(`    - name: unlabelled widget is denied\n      object: ${WIDGET}\n      expect: {allowed: false, code: 422, matched: [team], decisions: {team/team-label: deny}}\n`, '  policies: [team]\n'),
        'other/untouched.test.yaml': suite('    - name: a ConfigMap nothing judges\n      object: {apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: default}}\n      expect: {allowed: true}\n'),
        'other/strict.test.yaml': suite('    - name: a ConfigMap nothing judges\n      object: {apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: default}}\n      expect: {allowed: true}\n', '  failOnSkip: true\n').replace('name: team', 'name: strict'),
        'other/wrong.test.yaml': suite(`    - name: expects a patch it does not get\n      object: ${WIDGET.replace('{name: w, namespace: default}', '{name: w, namespace: default, labels: {team: a}}')}\n      expect: {allowed: true, object: {apiVersion: demo.portcullis.dev/v1, kind: Widget, metadata: {name: w, namespace: default, labels: {team: b}}, spec: {image: nginx, replicas: 3}}}\n`).replace('name: team', 'name: wrong'),
        'other/missing-policy.test.yaml': suite(`    - name: c\n      object: ${WIDGET}\n      expect: {allowed: false}\n`, '  policies: [no-such-policy]\n').replace('name: team', 'name: names'),
        'crds/none.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n',
      });
    });
    after(() => tree.cleanup());
    const crds = ['--crds', 'manifests/crds'];

    it('passes a suite whose policies are loaded and whose matched/decisions hold', () => {
      const res = portcullis(['test', '--policies', `${tree.dir}/policies`, ...crds]);
      assert.equal(res.status, 0, res.stdout + res.stderr);
      assert.match(res.stderr, /^loaded 1 policies, 4 CRDs, 0 conversions$/m);
      assert.match(res.stdout, /^1 passed, 0 failed, 0 skipped$/m);
    });

    it('reports a case no schema or policy touched as a skip, and fails it when the suite forbids skips', () => {
      const res = portcullis(['test', '--policies', `${tree.dir}/policies`, ...crds, `${tree.dir}/other`, '--run', '^(team|strict)/']);
      assert.equal(res.status, 1, res.stdout);
      assert.match(res.stdout, /^SKIP .*untouched\.test\.yaml: team: a ConfigMap nothing judges\n\s+no CRD schema and no policy applies to core\/v1 ConfigMap \(CREATE\)$/m);
      assert.match(res.stdout, /^FAIL .*strict\.test\.yaml: strict: a ConfigMap nothing judges\n.*skips are not allowed$/m);
      assert.match(res.stdout, /^0 passed, 1 failed, 1 skipped$/m);
    });

    it('shows a failing object expectation field by field', () => {
      const res = portcullis(['test', '--policies', `${tree.dir}/policies`, ...crds, `${tree.dir}/other`, '--run', '^wrong/']);
      assert.equal(res.status, 1);
      assert.match(res.stdout, /^\s+object\.metadata\.labels\.team: expected "b", got "a"$/m);
      assert.match(res.stdout, /^\s+object\.spec\.replicas: expected 3, got 1$/m);
    });

    it('fails a suite naming a policy that is not loaded', () => {
      const res = portcullis(['test', '--policies', `${tree.dir}/policies`, ...crds, `${tree.dir}/other/missing-policy.test.yaml`]);
      assert.equal(res.status, 1);
      assert.match(res.stdout, /spec\.policies: policy "no-such-policy" is not loaded/);
    });

    it('writes JUnit XML and JSON for CI', () => {
      const junit = portcullis(['test', '--policies', `${tree.dir}/policies`, ...crds, '-o', 'junit']);
      assert.equal(junit.status, 0);
      assert.match(junit.stdout, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="portcullis test" tests="1" failures="0" skipped="0">/);
      assert.match(junit.stdout, /<testcase name="unlabelled widget is denied" classname="team"/);
      const json = JSON.parse(portcullis(['test', '--policies', `${tree.dir}/policies`, ...crds, '--output=json']).stdout);
      assert.deepEqual(json.summary, { passed: 1, failed: 0, skipped: 0 });
      assert.equal(json.cases[0].status, 'pass');
    });

    it('fails when --run selects no case, and rejects a pattern RE2 refuses', () => {
      const none = portcullis(['test', '--policies', `${tree.dir}/policies`, ...crds, '--run', 'nothing-like-this']);
      assert.equal(none.status, 1);
      assert.match(none.stdout, /no case matches --run "nothing-like-this"/);
      const bad = portcullis(['test', '--policies', `${tree.dir}/policies`, ...crds, '--run', '(?=x)']);
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /^portcullis test: --run: invalid pattern/);
    });

    it('refuses an explicit --crds path that holds no CRD, and a missing default folder says it is relative to the current folder', () => {
      const none = portcullis(['test', '--policies', `${tree.dir}/policies`, '--crds', `${tree.dir}/crds`]);
      assert.equal(none.status, 2);
      assert.match(none.stderr, /--crds .*crds: holds no CustomResourceDefinition/);
      const elsewhere = portcullis(['test'], { cwd: tree.dir });
      assert.equal(elsewhere.status, 2);
      assert.match(elsewhere.stderr, /--crds defaults to manifests\/crds in the current folder \(.*\), which has none/);
    });
  });
});
