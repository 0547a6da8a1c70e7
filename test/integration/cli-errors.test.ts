import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { portcullis, tempTree } from './support/cli.js';

/*
 * Flags, commands and error messages as a user meets them: the built binary,
 * one line per usage error plus where to get help, and load errors naming
 * file, document and field in the project's words.
 */

const CRD = (name: string, schema: string, extra = '') => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: ${name}}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: things, singular: thing, kind: Thing, listKind: ThingList}
  versions:
    - name: v1
      served: true
      storage: true
${extra}      schema:
        openAPIV3Schema:
${schema}`;

const POLICY = (name: string, rule: string) => `apiVersion: portcullis.dev/v1alpha1
kind: AdmissionPolicy
metadata: {name: ${name}}
spec:
  match:
    resources: [{apiGroups: [example.com], kinds: [Thing]}]
  rules:
    - name: r
${rule}`;

describe('portcullis commands and flags (built binary)', () => {
  it('prints the version and the commands with one-line descriptions', () => {
    const version = portcullis(['version']);
    assert.equal(version.status, 0);
    assert.match(version.stdout, /^portcullis \d+\.\d+\.\d+\n$/);
    assert.equal(portcullis(['--version']).stdout, version.stdout);
    const help = portcullis(['help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^ {2}review +Review objects or AdmissionReview\/ConversionReview files offline/m);
    const testHelp = portcullis(['help', 'test']);
    assert.equal(testHelp.status, 0);
    assert.match(testHelp.stdout, /^Usage: portcullis test /);
    assert.match(testHelp.stdout, /default: manifests\/crds\n\s+in the current folder/);
  });

  it('suggests the command or flag meant, on one line plus where to get help', () => {
    const command = portcullis(['reveiw']);
    assert.equal(command.status, 2);
    assert.equal(command.stderr, 'portcullis: unknown command "reveiw" (did you mean "review"?)\nRun \'portcullis help\' for the commands.\n');
    const flag = portcullis(['review', '--explian', '-f', 'x.yaml']);
    assert.equal(flag.status, 2);
    assert.equal(flag.stderr, "portcullis review: unknown flag --explian (did you mean --explain?)\nRun 'portcullis help review' for its usage.\n");
    const value = portcullis(['test', '--run']);
    assert.equal(value.status, 2);
    assert.match(value.stderr, /^portcullis test: flag --run needs a value\n/);
    const boolean = portcullis(['review', '--dry-run=maybe', '-f', 'x.yaml']);
    assert.equal(boolean.status, 2);
    assert.match(boolean.stderr, /--dry-run is a boolean flag: give it alone or as --dry-run=true\|false, not "maybe"/);
  });

  it('says a default folder is relative to the current folder when serve is started elsewhere', () => {
    const tree = tempTree({ 'empty.txt': '' });
    try {
      const res = portcullis(['serve', '--port', '0', '--metrics-port', '0'], { cwd: tree.dir });
      assert.equal(res.status, 2);
      assert.match(res.stderr, /^portcullis serve: --crds defaults to manifests\/crds in the current folder \(.*\), which has none: run from the project folder or pass --crds PATH\n/);
    } finally {
      tree.cleanup();
    }
  });

  it('rejects a bad log level by name, with the levels it takes', () => {
    const res = portcullis(['serve', '--log-level', 'verbose', '--port', '0']);
    assert.equal(res.status, 2);
    assert.match(res.stderr, /^portcullis serve: --log-level must be one of trace, debug, info, warn, error, fatal, silent, got "verbose"/);
  });
});

describe('load errors name file, document and field', () => {
  let tree: ReturnType<typeof tempTree>;
  before(() => {
    tree = tempTree({
      'crds/bad.yaml': CRD(
        'things.example.com',
        `          type: object
          properties:
            spec:
              type: object
              properties:
                replicas: {type: integer, maximum: 5, default: 10}
                ports:
                  type: array
                  x-kubernetes-list-type: map
                  x-kubernetes-list-map-keys: [name]
                  items: {type: object, properties: {name: {type: string}}}
                untyped: {description: no type}
`,
      ),
      'crds/good.yaml': CRD('things.example.com', '          type: object\n          properties: {spec: {type: object, x-kubernetes-preserve-unknown-fields: true}}\n'),
      'policies/a.yaml': POLICY('a', "      cel: {expression: 'object.spec.replicas >> 2', message: x}\n"),
      'policies/b.yaml': POLICY('b', "      metadata: {labels: {required: [{key: team, pattern: '(?=x)'}]}}\n"),
      'policies/c.yaml': POLICY('a', '      metadata: {labels: {required: [{key: team}]}}\n'),
      'policies/tests/t.yaml': 'apiVersion: portcullis.dev/v1alpha1\nkind: PolicyTest\nmetadata: {name: t}\nspec: {cases: [{name: c, object: {apiVersion: example.com/v1, kind: Thing, metadata: {name: x}}, expect: {allowed: true}}]}\n',
    });
  });
  after(() => tree.cleanup());

  it('checks a CRD as the apiserver does on create: every problem, with the field path and its words', () => {
    const res = portcullis(['test', '--crds', `${tree.dir}/crds/bad.yaml`, '--policies', `${tree.dir}/policies/tests`]);
    assert.equal(res.status, 2);
    const at = 'spec.versions[0].schema.openAPIV3Schema.properties[spec]';
    assert.match(res.stderr, /bad\.yaml: document 0: the apiserver would reject this CRD \(3 problems\):\n/);
    assert.ok(res.stderr.includes(`${at}.properties[replicas].default: Invalid value: 10: default in body should be less than or equal to 5`), res.stderr);
    assert.ok(res.stderr.includes(`${at}.properties[ports].items.properties[name].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property`), res.stderr);
    assert.ok(res.stderr.includes(`${at}.properties[untyped].type: Required value: must not be empty for specified object fields`), res.stderr);
  });

  it('reports every error of a policy set in one run: a bad CEL expression with its column, a bad pattern, a duplicate name', () => {
    const res = portcullis(['test', '--crds', `${tree.dir}/crds/good.yaml`, '--policies', `${tree.dir}/policies`]);
    assert.equal(res.status, 2, res.stdout);
    assert.match(res.stderr, /^portcullis test: 3 problems:\n/);
    assert.match(res.stderr, /a\.yaml: document 0: spec\.rules\[0\]\.cel\.expression: compiling CEL expression: unexpected ">" at column 23\n/);
    assert.match(res.stderr, /b\.yaml: document 0: spec\.rules\[0\]\.metadata\.labels\.required\[0\]\.pattern: invalid pattern "\(\?=x\)"/);
    assert.match(res.stderr, /c\.yaml: document 0: metadata\.name: duplicate policy name "a" \(first in .*a\.yaml, document 0\)/);
  });
});
