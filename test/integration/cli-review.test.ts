import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { portcullis, tempTree } from './support/cli.js';

/* `portcullis review` run as a user runs it: the built binary, in the repository folder (shipped CRDs and policies). */

const review = (args: string[], input?: string) => portcullis(['review', ...args], { input });

const WIDGETS = `apiVersion: demo.portcullis.dev/v1
kind: Widget
metadata: {name: web, namespace: team-web, labels: {team: web}}
spec: {image: nginx:1.27}
---
apiVersion: demo.portcullis.dev/v1
kind: Widget
metadata: {name: Bad, namespace: default}
spec: {image: nginx:1.27}
`;

describe('portcullis review with AdmissionReview files', () => {
  it('prints the response review and exits 0 when allowed', () => {
    const res = review(['test/fixtures/admission/widget-create-valid.json']);
    assert.equal(res.status, 0, res.stderr);
    const out = JSON.parse(res.stdout);
    assert.equal(out.response.uid, '705ab4f5-6393-11e8-b7cc-42010a800002');
    assert.equal(out.response.allowed, true);
  });

  it('exits 1 when denied and prints the causes', () => {
    const res = review(['--endpoint', 'validate', '-f', 'test/fixtures/admission/widget-create-invalid.json']);
    assert.equal(res.status, 1);
    assert.equal(JSON.parse(res.stdout).response.status.code, 422);
  });

  it('shows the decoded patch and the resulting object as one JSON document jq can read', () => {
    const res = review(['--show-patch', '-f', 'test/fixtures/admission/widget-create-needs-defaults.json']);
    assert.equal(res.status, 0, res.stderr);
    const out = JSON.parse(res.stdout);
    assert.deepEqual(out.patch[0], { op: 'add', path: '/spec/hooks/0/timeoutSeconds', value: 5 });
    assert.equal(out.object.spec.replicas, 1);
    assert.equal(out.review.response.allowed, true);
  });

  it('reads standard input with -f -', () => {
    const res = review(['-f', '-'], readFileSync('test/fixtures/admission/widget-delete.json', 'utf8'));
    assert.equal(res.status, 0, res.stderr);
    assert.equal(JSON.parse(res.stdout).response.patch, undefined);
  });

  it('names the file when a review lacks its uid, and exits 2', () => {
    const res = review(['-f', '-'], '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"kind":{"group":"","version":"v1","kind":"Pod"},"operation":"CREATE","object":{}}}');
    assert.equal(res.status, 2);
    assert.equal(res.stderr, 'portcullis review: <stdin>: document 0: request.uid must be a non-empty string, got nothing\n');
  });

  it('prints a usage error as one line and where to get help', () => {
    const res = review(['--endpoint', 'nope', '-f', 'x.json']);
    assert.equal(res.status, 2);
    assert.equal(res.stderr, "portcullis review: --endpoint must be mutate or validate, got \"nope\"\nRun 'portcullis help review' for its usage.\n");
  });
});

describe('portcullis review with plain objects', () => {
  let tree: ReturnType<typeof tempTree>;
  before(() => {
    tree = tempTree({
      'widgets.yaml': WIDGETS,
      'dir/a.yaml': WIDGETS.split('---\n')[0] as string,
      'dir/b.json': JSON.stringify({ apiVersion: 'demo.portcullis.dev/v1', kind: 'Widget', metadata: { name: 'json', namespace: 'default', labels: { team: 'a' } }, spec: { image: 'nginx' } }),
      'old.yaml': 'apiVersion: demo.portcullis.dev/v1\nkind: Widget\nmetadata: {name: web, namespace: team-web, labels: {team: web}}\nspec: {image: nginx:1.27, owner: bob, tier: backend}\n',
      'new.yaml': 'apiVersion: demo.portcullis.dev/v1\nkind: Widget\nmetadata: {name: web, namespace: team-web, labels: {team: web}}\nspec: {image: nginx:1.27, owner: eve, tier: backend}\n',
      'protected.yaml': 'apiVersion: demo.portcullis.dev/v1\nkind: Widget\nmetadata: {name: keep, namespace: default, labels: {team: a}, annotations: {portcullis.dev/protected: "true"}}\nspec: {image: nginx}\n',
      'empty.yaml': '\n',
      'broken.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n namespace: b\n',
      'big.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata: {x: "${'x'.repeat(7.5 * 1024 * 1024)}"}\n`,
    });
  });
  after(() => tree.cleanup());

  it('reviews every document of a file as a CREATE and exits 1 when one is denied', () => {
    const res = review(['-f', `${tree.dir}/widgets.yaml`]);
    assert.equal(res.status, 1, res.stderr);
    assert.match(res.stdout, /^Widget\.demo\.portcullis\.dev team-web\/web \(CREATE\): allowed$/m);
    assert.match(res.stdout, /^Widget\.demo\.portcullis\.dev default\/Bad \(CREATE\): denied \(422 Invalid\)$/m);
    assert.match(res.stdout, /label "team" is required \(policy widget-team-label, rule team-label\)/);
  });

  it('explains which schema, policies and rules matched and what each decided', () => {
    const res = review(['-f', `${tree.dir}/widgets.yaml`, '--explain']);
    assert.match(res.stdout, /^ {2}schema: widgets\.demo\.portcullis\.dev \(version v1\)$/m);
    assert.match(res.stdout, /^ {2}policy widget-team-label: matched\n {4}rule team-label: deny\n {6}metadata\.labels\.team: Required value: label "team" is required$/m);
    assert.match(res.stdout, /^ {4}mutation owner-from-user: mutated$/m);
  });

  it('reads folders (yaml and json) and prints json or yaml', () => {
    const json = JSON.parse(review(['-f', `${tree.dir}/dir`, '-o', 'json']).stdout);
    assert.equal(json.length, 2);
    assert.ok(json.every((r: { response: { allowed: boolean } }) => r.response.allowed));
    const yaml = review(['-f', `${tree.dir}/dir/a.yaml`, '--output=yaml']);
    assert.match(yaml.stdout, /^apiVersion: admission\.k8s\.io\/v1\nkind: AdmissionReview\nresponse:\n/);
  });

  it('builds an UPDATE from --old, with the user and groups given', () => {
    const res = review(['-f', `${tree.dir}/new.yaml`, '--old', `${tree.dir}/old.yaml`, '--user', 'eve', '--group', 'devs']);
    assert.equal(res.status, 1, res.stdout + res.stderr);
    assert.match(res.stdout, /^Widget\.demo\.portcullis\.dev team-web\/web \(UPDATE\): denied/m);
    assert.match(res.stdout, /spec\.owner/);
  });

  it('treats the object as the one deleted with --operation DELETE, and marks dry runs', () => {
    const res = review(['-f', `${tree.dir}/protected.yaml`, '--operation', 'delete', '--dry-run']);
    assert.equal(res.status, 1, res.stdout + res.stderr);
    assert.match(res.stdout, /^Widget\.demo\.portcullis\.dev default\/keep \(DELETE, dry run\): denied \(403 Forbidden\)$/m);
  });

  it('refuses a namespace that contradicts the object, an UPDATE without --old, and a folder as --old', () => {
    const ns = review(['-f', `${tree.dir}/protected.yaml`, '-n', 'other']);
    assert.equal(ns.status, 2);
    assert.match(ns.stderr, /protected\.yaml: document 0: the object's namespace "default" does not match --namespace "other"/);
    const update = review(['-f', `${tree.dir}/protected.yaml`, '--operation', 'UPDATE']);
    assert.equal(update.status, 2);
    assert.match(update.stderr, /an UPDATE needs the object before it: pass --old FILE/);
    const folder = review(['-f', `${tree.dir}/protected.yaml`, '--old', `${tree.dir}/dir`]);
    assert.equal(folder.status, 2);
    assert.match(folder.stderr, /^portcullis review: --old .*dir: is a folder, expected a file$/m);
  });

  it('names the file of an empty file and of a YAML error (line and column, in its own words)', () => {
    const empty = review(['-f', `${tree.dir}/empty.yaml`]);
    assert.equal(empty.status, 2);
    assert.match(empty.stderr, /^portcullis review: .*empty\.yaml: is empty, expected a YAML or JSON object$/m);
    const broken = review(['-f', `${tree.dir}/broken.yaml`]);
    assert.equal(broken.status, 2);
    assert.match(broken.stderr, /^portcullis review: .*broken\.yaml: document 0: YAML syntax error at line 5, column \d+: the indentation does not line up$/m);
  });

  it('refuses an input over 7 MiB, as the server does', () => {
    const res = review(['-f', `${tree.dir}/big.yaml`]);
    assert.equal(res.status, 2);
    assert.match(res.stderr, /big\.yaml: 7\.5 MiB is more than the 7\.0 MiB the server accepts in one request/);
  });
});
